"""`python manage.py demo_upstream`: serve the demo movie catalog until interrupted."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from movies.demo_upstream import DemoUpstreamServer


class Command(BaseCommand):
    help = "Serve a stand-in for the upstream movie catalog (45,466 made-up movies), with optional fault injection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8001, help="Port to listen on (default 8001).")
        parser.add_argument(
            "--username",
            default=settings.MOVIES_API_USERNAME,
            help="Basic auth user name expected (default MOVIES_API_USERNAME, 'demo').",
        )
        parser.add_argument(
            "--password",
            default=settings.MOVIES_API_PASSWORD,
            help="Basic auth password expected (default MOVIES_API_PASSWORD, 'demo').",
        )
        parser.add_argument(
            "--failure-rate",
            type=float,
            default=0.0,
            help="Share of requests answered with a 500 or a 503, 0 to 1 (default 0).",
        )
        parser.add_argument("--latency-ms", type=int, default=0, help="Delay added to every answer (default 0).")
        parser.add_argument(
            "--seed", type=int, default=None, help="Seed of the injected failures, for repeatable runs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            server = DemoUpstreamServer(
                (options["host"], options["port"]),
                username=options["username"],
                password=options["password"],
                failure_rate=options["failure_rate"],
                latency_ms=options["latency_ms"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error}") from error
        self.stdout.write(f"Demo movie catalog at {server.url} (Basic auth user {options['username']!r})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
