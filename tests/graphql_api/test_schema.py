"""The committed SDL and the REST shims' operation documents stay in step with the code."""

from pathlib import Path

import pytest
from django.conf import settings
from graphql import OperationDefinitionNode, parse, validate

from graphql_api.cost import requested_cost
from graphql_api.schema import schema
from rest_compat.routes import REST_COLLECTIONS_LIMIT
from rest_compat.views import OPERATIONS_DIR

SDL_PATH = Path(__file__).resolve().parents[2] / "graphql_api" / "schema.graphql"


def test_committed_sdl_matches_the_schema():
    assert SDL_PATH.read_text(encoding="utf-8").strip() == schema.as_str().strip(), "run `make schema`"


@pytest.mark.parametrize("document", sorted(OPERATIONS_DIR.glob("*.graphql")), ids=lambda p: p.stem)
def test_every_rest_operation_is_valid_against_the_schema(document):
    errors = validate(schema.graphql_schema, parse(document.read_text(encoding="utf-8")))

    assert errors == []


@pytest.mark.parametrize("document", sorted(OPERATIONS_DIR.glob("*.graphql")), ids=lambda p: p.stem)
def test_every_rest_operation_costs_less_than_the_limit(document):
    [operation] = parse(document.read_text(encoding="utf-8")).definitions
    assert isinstance(operation, OperationDefinitionNode)

    cost = requested_cost(schema.graphql_schema, operation, {}, {"limit": REST_COLLECTIONS_LIMIT})

    assert cost <= settings.GRAPHQL_MAX_COST
