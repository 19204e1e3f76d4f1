"""The example SPA (examples/spa, built) in Chromium, on an origin of its own against the live API."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from rest_framework_simplejwt.tokens import RefreshToken

from movie_collections.models import Collection
from movie_collections.selectors import favourite_genres
from movie_collections.services import collection_update
from movies import demo_catalog
from movies.demo_upstream import MOVIES_PATH
from tests.factories import CollectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase"
TOKENS_KEY = "movie-collections:tokens"


def register(page: Page, spa_url: str, username: str) -> None:
    page.goto(spa_url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("username")).to_have_text(f"Signed in as {username}")


def sign_in_as(page: Page, spa_url: str, user) -> None:
    """Opens the SPA with tokens of `user` in its session, as after a login."""
    refresh = RefreshToken.for_user(user)
    tokens = {"accessToken": str(refresh.access_token), "refreshToken": str(refresh)}
    page.goto(spa_url)
    page.evaluate("([key, value]) => sessionStorage.setItem(key, value)", [TOKENS_KEY, json.dumps(tokens)])
    page.reload()
    expect(page.get_by_test_id("username")).to_have_text(f"Signed in as {user.username}")


def stored_tokens(page: Page) -> dict[str, str]:
    return json.loads(page.evaluate("(key) => sessionStorage.getItem(key)", TOKENS_KEY))


def refresh_answer(client, refresh_token: str) -> dict:
    query = "mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
    return client.post("/graphql/", {"query": query, "variables": {"t": refresh_token}}, format="json").json()


def test_register_pick_movies_into_a_collection_edit_delete_and_log_out(
    page: Page, spa_url, demo_upstream, api_client, screenshot
):
    register(page, spa_url, "ada")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("page")).to_have_text(f"Page 2 of {demo_catalog.page_count()}")
    first, second = demo_catalog.page(2)[:2]
    page.get_by_role("checkbox", name=first["title"]).check()
    page.get_by_role("checkbox", name=second["title"]).check()
    page.get_by_label("Title").fill("Weekend")
    page.get_by_role("button", name="Create collection").click()

    item = page.get_by_test_id("collection")
    expect(item.get_by_role("heading")).to_have_text("Weekend")
    expect(item).to_contain_text(f"{first['title']}, {second['title']}")
    user = get_user_model().objects.get(username="ada")
    genres = ", ".join(f"{genre.name} ({genre.count})" for genre in favourite_genres(owner=user))
    expect(page.get_by_test_id("favourite-genres")).to_have_text(f"Favourite genres: {genres}")
    expect(page.get_by_test_id("request-count")).to_contain_text("Requests served: ")
    screenshot("spa")

    item.get_by_role("button", name="Edit").click()
    item.get_by_label("Title").fill("Sunday")
    item.get_by_role("button", name="Save").click()
    expect(item.get_by_role("heading")).to_have_text("Sunday")
    assert list(Collection.objects.values_list("title", flat=True)) == ["Sunday"]

    item.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("None yet.")).to_be_visible()
    assert not Collection.objects.exists()

    refresh_token = stored_tokens(page)["refreshToken"]
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert refresh_answer(api_client, refresh_token)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_expired_access_token_is_refreshed_and_the_refresh_token_rotated(page: Page, spa_url, demo_upstream):
    user = UserFactory(username="lin")
    sign_in_as(page, spa_url, user)
    tokens = stored_tokens(page)
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, value)",
        [TOKENS_KEY, json.dumps({**tokens, "accessToken": "expired"})],
    )

    page.reload()

    expect(page.get_by_test_id("username")).to_have_text("Signed in as lin")
    assert stored_tokens(page)["refreshToken"] != tokens["refreshToken"]


def test_a_collection_changed_elsewhere_is_a_conflict_not_a_lost_update(page: Page, spa_url, demo_upstream):
    user = UserFactory()
    collection = CollectionFactory(owner=user, title="Weekend", description="")
    sign_in_as(page, spa_url, user)
    item = page.get_by_test_id("collection")
    expect(item.get_by_role("heading")).to_have_text("Weekend")
    collection_update(owner=user, uuid=collection.uuid, title="Changed in another tab")

    item.get_by_role("button", name="Edit").click()
    item.get_by_label("Title").fill("Mine")
    item.get_by_role("button", name="Save").click()

    expect(item.get_by_role("alert")).to_contain_text("changed elsewhere")
    expect(item.get_by_role("heading")).to_have_text("Changed in another tab")
    assert Collection.objects.get().title == "Changed in another tab"


def test_an_upstream_outage_is_a_message_with_a_retry(page: Page, spa_url, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json({"detail": "down"}, status=503)
    sign_in_as(page, spa_url, UserFactory())

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The movie catalog is unavailable right now.")
    fake_upstream.clear()
    movie = {"uuid": str(uuid.uuid4()), "title": "Back Again", "description": "", "genres": "Drama"}
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(
        {"count": 1, "next": None, "previous": None, "results": [movie]}
    )
    alert.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("checkbox", name="Back Again")).to_be_visible()


def test_a_page_kept_from_earlier_is_shown_as_stale(page: Page, spa_url, fake_upstream, movies_settings):
    movies_settings.MOVIES_CACHE_FRESH_SECONDS = 0
    movie = {"uuid": str(uuid.uuid4()), "title": "Kept Copy", "description": "", "genres": "Drama"}
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(
        {"count": 1, "next": None, "previous": None, "results": [movie]}
    )
    sign_in_as(page, spa_url, UserFactory())
    expect(page.get_by_role("checkbox", name="Kept Copy")).to_be_visible()
    fake_upstream.clear()
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json({"detail": "down"}, status=503)

    page.reload()

    expect(page.get_by_role("status")).to_have_text(
        "The catalog is failing right now: this is a copy of page 1 kept from earlier."
    )
    expect(page.get_by_role("checkbox", name="Kept Copy")).to_be_visible()
