"""GET /graphql/ in a browser opens GraphiQL, built from our own static files (no CDN)."""

import re

import pytest
from graphql import OperationType, build_schema, parse, validate

from graphql_api.schema import schema
from tests.html_assets import BROWSER_ACCEPT, asset_urls, missing_static_files

# The only absolute URL the page may contain: the SVG namespace of its inline
# favicon, a name that is never fetched.
SVG_NAMESPACE_HOST = "www.w3.org"

pytestmark = pytest.mark.django_db


def test_graphiql_opens_in_a_browser(client):
    response = client.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<title>Movie collections GraphiQL</title>" in response.content.decode()


def test_graphiql_opens_without_the_trailing_slash(client):
    response = client.get("/graphql", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 200
    assert "<title>Movie collections GraphiQL</title>" in response.content.decode()


def test_graphiql_names_no_other_host(client):
    html = client.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    hosts = set(re.findall(r"(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,})", html))
    assert hosts <= {SVG_NAMESPACE_HOST}


def test_graphiql_loads_its_scripts_and_styles_from_our_static_files(client):
    html = client.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    urls = asset_urls(html)
    assert [url.rsplit("/", 1)[-1] for url in urls] == [
        "graphiql.min.css",
        "plugin-explorer.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "plugin-explorer.umd.js",
    ]
    assert missing_static_files(urls) == []


def vary(response) -> list[str]:
    return [name.strip() for name in response["Vary"].split(",")]


def example_query(html: str) -> str:
    """The text GraphiQL's editor opens with: the page's EXAMPLE_QUERY template literal."""
    match = re.search(r"const EXAMPLE_QUERY = `(.*?)`;", html, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_graphiql_opens_whatever_the_query_string_says(client):
    response = client.get("/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<title>Movie collections GraphiQL</title>" in response.content.decode()
    assert "Accept" in vary(response)


def test_a_graphql_client_gets_the_result_of_the_query_string(client):
    response = client.get(
        "/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT="application/graphql-response+json, application/json"
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}
    assert "Accept" in vary(response)


def test_any_media_type_with_a_query_gets_the_result(client):
    response = client.get("/graphql/", {"query": "{ __typename }"}, HTTP_ACCEPT="*/*")

    assert response.json()["data"] == {"__typename": "Query"}


def test_graphiql_opens_with_a_valid_query_not_a_mutation(client):
    html = client.get("/graphql/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    document = parse(example_query(html))
    assert [operation.operation for operation in document.definitions] == [OperationType.QUERY]
    assert validate(build_schema(schema.as_str()), document) == []
