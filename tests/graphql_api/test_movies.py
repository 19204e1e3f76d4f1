"""`Query.movies`: the catalog through GraphQL."""

import pytest

from movies import demo_catalog
from movies.demo_upstream import MOVIES_PATH
from tests.plugins.upstreams import FAKE_MOVIE, slow_handler, upstream_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("movies_settings")]

MOVIES = """
query Movies($page: Int!) {
  movies(page: $page) {
    count page nextPage previousPage stale
    results { uuid title description genres }
  }
}
"""


def error_of(body):
    assert body.get("data") is None
    [error] = body["errors"]
    return error


def test_a_page_has_numbers_links_and_movies(graphql, user, demo_upstream):
    status, body = graphql(MOVIES, {"page": 1}, user=user)

    assert status == 200
    first = demo_catalog.page(1)[0]
    movies = body["data"]["movies"]
    assert {key: movies[key] for key in ("count", "page", "nextPage", "previousPage", "stale")} == {
        "count": 45466,
        "page": 1,
        "nextPage": 2,
        "previousPage": None,
        "stale": False,
    }
    assert len(movies["results"]) == 10
    assert movies["results"][0] == {**first, "genres": [g for g in first["genres"].split(",") if g]}


def test_the_page_defaults_to_the_first(graphql, user, demo_upstream):
    status, body = graphql("{ movies { page previousPage } }", user=user)

    assert status == 200
    assert body == {"data": {"movies": {"page": 1, "previousPage": None}}}


def test_genres_are_a_trimmed_list(graphql, user, fake_upstream):
    movie = {**FAKE_MOVIE, "genres": " Drama , ,Science Fiction,"}
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(upstream_payload(results=[movie]))

    status, body = graphql("{ movies { results { genres } } }", user=user)

    assert status == 200
    assert body == {"data": {"movies": {"results": [{"genres": ["Drama", "Science Fiction"]}]}}}


def test_authentication_is_required(graphql, demo_upstream):
    status, body = graphql(MOVIES, {"page": 1})

    assert status == 200
    assert error_of(body)["extensions"]["code"] == "UNAUTHENTICATED"
    assert demo_upstream.request_count == 0


@pytest.mark.parametrize("page", [0, -1])
def test_a_page_below_one_is_bad_user_input(graphql, user, page):
    status, body = graphql(MOVIES, {"page": page}, user=user)

    assert status == 200
    error = error_of(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "page"


def test_a_page_past_the_end_is_not_found(graphql, user, demo_upstream):
    status, body = graphql(MOVIES, {"page": 4548}, user=user)

    assert status == 200
    assert error_of(body)["extensions"]["code"] == "NOT_FOUND"


def test_an_unavailable_upstream_says_when_to_retry(graphql, user, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503, headers={"Retry-After": "2"})

    status, body = graphql(MOVIES, {"page": 1}, user=user)

    assert status == 200
    assert error_of(body)["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "retryAfter": 2}


def test_a_malformed_payload_is_upstream_bad_response(graphql, user, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("<html>", content_type="text/html")

    status, body = graphql(MOVIES, {"page": 1}, user=user)

    assert status == 200
    assert error_of(body)["extensions"] == {"code": "UPSTREAM_BAD_RESPONSE"}


def test_a_slow_upstream_is_upstream_timeout(graphql, user, fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 0.3
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 5.0

    fake_upstream.expect_request(MOVIES_PATH).respond_with_handler(slow_handler(1.0, upstream_payload()))

    status, body = graphql(MOVIES, {"page": 1}, user=user)

    assert status == 200
    assert error_of(body)["extensions"] == {"code": "UPSTREAM_TIMEOUT"}


def test_a_stale_page_is_marked_stale(graphql, user, fake_upstream, settings):
    settings.MOVIES_CACHE_FRESH_SECONDS = 0
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)
    graphql(MOVIES, {"page": 1}, user=user)

    status, body = graphql(MOVIES, {"page": 1}, user=user)

    assert status == 200
    assert body["data"]["movies"]["stale"] is True
    assert body["data"]["movies"]["results"][0]["uuid"] == FAKE_MOVIE["uuid"]


def test_aliased_pages_share_one_deadline(graphql, user, demo_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 1.0
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 5.0
    demo_upstream.latency_ms = 600  # one page fits in the deadline, two do not

    status, body = graphql("{ a: movies(page: 1) { page } b: movies(page: 2) { page } }", user=user)

    assert status == 200
    [error] = body["errors"]  # with a deadline per field, both pages would come
    assert error["extensions"]["code"] == "UPSTREAM_TIMEOUT"
