"""`python manage.py demo_upstream`: serve the demo movie catalog until interrupted.

The same as `python -m movies.demo_upstream`, with the credentials of the settings.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from movies import demo_upstream


class Command(BaseCommand):
    help = "Serve a stand-in for the upstream movie catalog (45,466 made-up movies), with optional fault injection."

    def add_arguments(self, parser: CommandParser) -> None:
        demo_upstream.add_arguments(
            parser, username=settings.MOVIES_API_USERNAME, password=settings.MOVIES_API_PASSWORD
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_upstream.run(options, out=self.stdout)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error}") from error
