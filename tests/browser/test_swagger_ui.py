"""Swagger UI in Chromium: loads offline, authorizes with a bearer token and runs GET /collections/."""

import pytest
from playwright.sync_api import Page, expect
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import CollectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_authorizes_and_lists_collections(page: Page, live_server):
    user = UserFactory()
    CollectionFactory(owner=user, title="Weekend")
    page.goto(f"{live_server.url}/api/docs/")

    page.locator(".btn.authorize").click()
    page.locator(".modal-ux input").fill(str(AccessToken.for_user(user)))
    page.locator(".modal-ux .btn.authorize").click()
    page.locator(".modal-ux .btn-done").click()
    operation = page.locator(".opblock-get", has=page.locator(".opblock-summary-path[data-path='/collections/']"))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text('"title": "Weekend"')
