"""docs/api.md, the wire contract, names what the code serves: every REST route, root field and error code."""

import re

import pytest
from django.conf import settings

from graphql_api import errors
from graphql_api.schema import schema
from rest_compat.urls import urlpatterns

CONTRACT = (settings.BASE_DIR / "docs" / "api.md").read_text()


def rest_paths() -> list[str]:
    """`/collections/<uuid>/` for `^collections/(?P<collection_uuid>[^/]+)/?$`."""
    paths = []
    for pattern in urlpatterns:
        regex = pattern.pattern.regex.pattern
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: "<uuid>", regex.strip("^$").removesuffix("/?"))
        paths.append(f"/{path}/")
    return paths


@pytest.mark.parametrize("path", rest_paths())
def test_the_contract_documents_every_rest_route(path):
    assert re.search(rf"`(GET|POST|PUT|DELETE)[^`]* {re.escape(path)}[`?]", CONTRACT)


@pytest.mark.parametrize(
    "field",
    [*schema.graphql_schema.query_type.fields, *schema.graphql_schema.mutation_type.fields],
)
def test_the_contract_documents_every_root_field(field):
    assert f"`{field}" in CONTRACT


ERROR_CODES = sorted(errors.HTTP_STATUS_BY_CODE)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_the_contract_documents_every_error_code(code):
    assert f"`{code}`" in CONTRACT
