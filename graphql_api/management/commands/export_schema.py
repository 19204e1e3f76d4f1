"""`python manage.py export_schema --path graphql_api/schema.graphql`: the schema's SDL, for clients and review."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from graphql_api.schema import schema


class Command(BaseCommand):
    help = "Write the GraphQL schema's SDL to a file (a test keeps the committed one in step)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, required=True, help="Where to write the SDL.")

    def handle(self, *args: Any, **options: Any) -> None:
        options["path"].write_text(schema.as_str() + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {options['path']}")
