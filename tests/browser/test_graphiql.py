"""GraphiQL in Chromium: loads offline, runs a query with a token, survives a reload, stores no token."""

import json

import pytest
from playwright.sync_api import Page, expect
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUERY = "query Me { me { username } }"


def editor(page: Page, mode: str) -> str:
    """A JavaScript expression for GraphiQL's CodeMirror editor of `mode` (graphql, json headers)."""
    return (
        "[...document.querySelectorAll('.CodeMirror')].map((element) => element.CodeMirror)"
        f".find((codeMirror) => JSON.stringify(codeMirror.getOption('mode')).includes({json.dumps(mode)}))"
    )


def set_editor(page: Page, mode: str, text: str) -> None:
    page.evaluate(f"(text) => {editor(page, mode)}.setValue(text)", text)


def local_storage(page: Page) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")


@pytest.fixture
def graphiql(page: Page, live_server) -> Page:
    page.goto(f"{live_server.url}/graphql/")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    return page


def test_graphiql_runs_a_query_with_a_token_and_stores_no_token(graphiql: Page, screenshot):
    user = UserFactory(username="grace")
    token = str(AccessToken.for_user(user))

    set_editor(graphiql, "graphql", QUERY)
    graphiql.get_by_role("button", name="Headers").click()
    set_editor(graphiql, "javascript", json.dumps({"Authorization": f"Bearer {token}"}))
    graphiql.locator(".graphiql-execute-button").click()

    expect(graphiql.locator(".graphiql-response")).to_contain_text('"username": "grace"')
    screenshot("graphiql")
    graphiql.wait_for_function("() => (localStorage.getItem('graphiql:queries') || '').includes('query Me')")
    stored = local_storage(graphiql)
    assert stored
    assert not [key for key, value in stored.items() if token in value]


def test_graphiql_survives_a_reload(graphiql: Page, live_server):
    set_editor(graphiql, "graphql", QUERY)
    graphiql.wait_for_function("() => (localStorage.getItem('graphiql:tabState') || '').includes('query Me')")

    graphiql.reload()

    expect(graphiql).to_have_title("Movie collections GraphiQL")
    expect(graphiql.locator(".graphiql-query-editor")).to_contain_text("query Me")
    assert graphiql.url == f"{live_server.url}/graphql/"


def test_a_link_prefills_graphiql(page: Page, live_server):
    page.goto(f"{live_server.url}/graphql/?query={QUERY}")

    expect(page.locator(".graphiql-query-editor")).to_contain_text("query Me")
    assert page.url == f"{live_server.url}/graphql/"
