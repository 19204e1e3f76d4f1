"""The one request parser of the REST shims: JSON, bounded, never a 500."""

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from rest_compat.exceptions import PayloadTooLarge


class StrictJSONParser(BaseParser):
    """Parses `application/json` only (DRF answers 415 for anything else).

    Bounds the body by `DATA_UPLOAD_MAX_MEMORY_SIZE` (DRF reads the raw
    stream, past Django's own check) and turns the `RecursionError` of
    deeply nested documents into a 400.
    """

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge()
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError("The request body is not valid JSON.") from error
        except RecursionError as error:
            raise ParseError("The request body is nested too deeply.") from error
