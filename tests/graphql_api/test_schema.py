"""The committed SDL and the REST shims' operation documents stay in step with the code."""

from pathlib import Path

import pytest
from graphql import parse, validate

from graphql_api.schema import schema
from rest_compat.views import OPERATIONS_DIR

SDL_PATH = Path(__file__).resolve().parents[2] / "graphql_api" / "schema.graphql"


def test_committed_sdl_matches_the_schema():
    assert SDL_PATH.read_text(encoding="utf-8").strip() == schema.as_str().strip(), "run `make schema`"


@pytest.mark.parametrize("document", sorted(OPERATIONS_DIR.glob("*.graphql")), ids=lambda p: p.stem)
def test_every_rest_operation_is_valid_against_the_schema(document):
    errors = validate(schema.graphql_schema, parse(document.read_text(encoding="utf-8")))

    assert errors == []
