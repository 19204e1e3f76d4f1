"""`GET /movies/?page=N`: the REST shim over `Query.movies`."""

import json

import pytest

from movies.demo_upstream import MOVIES_PATH
from tests.plugins.upstreams import FAKE_MOVIE, demo_page_body, slow_handler, upstream_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("movies_settings")]


def problem(status, title, detail, **extra):
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


def test_a_page_lists_movies_with_links_to_this_server(auth_client, demo_upstream):
    response = auth_client.get("/movies/?page=2")

    assert response.status_code == 200
    assert response.json() == demo_page_body(2)
    assert "X-Cache-Stale" not in response.headers


def test_without_a_page_the_first_is_served(auth_client, demo_upstream):
    response = auth_client.get("/movies")

    assert response.status_code == 200
    assert response.json() == demo_page_body(1)
    assert response.json()["previous"] is None


def test_the_last_page_has_no_next(auth_client, demo_upstream):
    body = auth_client.get("/movies/?page=4547").json()

    assert body["next"] is None
    assert body["previous"] == "http://testserver/movies/?page=4546"
    assert len(body["data"]) == 6


def test_links_use_the_host_the_client_called(auth_client, demo_upstream):
    body = auth_client.get("/movies/?page=5", HTTP_HOST="localhost:8000").json()

    assert body["next"] == "http://localhost:8000/movies/?page=6"


def test_genres_are_joined_back_without_spaces(auth_client, fake_upstream):
    movie = {**FAKE_MOVIE, "genres": " Drama , ,Science Fiction,"}
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(upstream_payload(results=[movie]))

    body = auth_client.get("/movies/").json()

    assert body["data"] == [{**FAKE_MOVIE, "genres": "Drama,Science Fiction"}]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "", " 1", "1e3", "\u0661"])
def test_a_page_that_is_not_a_positive_integer_is_a_bad_request(auth_client, page):
    response = auth_client.get("/movies/", {"page": page})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == problem(
        400,
        "Bad Request",
        "The request is not valid.",
        errors=[{"field": "page", "code": "invalid", "message": "Must be a positive integer."}],
    )


@pytest.mark.parametrize("page", ["4548", "99999999999999999999"])
def test_a_page_past_the_end_is_not_found(auth_client, demo_upstream, page):
    response = auth_client.get("/movies/", {"page": page})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_authentication_is_required(api_client, demo_upstream):
    response = api_client.get("/movies/?page=1")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert demo_upstream.request_count == 0


def test_a_server_error_then_success_answers_the_page(auth_client, fake_upstream):
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_data("oops", status=502)
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())

    response = auth_client.get("/movies/")

    assert response.status_code == 200
    assert response.json()["data"] == [FAKE_MOVIE]


def test_a_timeout_then_success_answers_the_page(auth_client, fake_upstream, settings):
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 0.5

    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_handler(slow_handler(2.0, upstream_payload()))
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())

    response = auth_client.get("/movies/")

    assert response.status_code == 200
    assert response.json()["data"] == [FAKE_MOVIE]


def test_a_permanent_failure_is_unavailable_with_retry_after(auth_client, fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 1.0
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)

    response = auth_client.get("/movies/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == problem(503, "Service Unavailable", "The movie catalog is unavailable.")


def test_an_open_breaker_answers_at_once_without_calling_the_upstream(auth_client, fake_upstream, settings):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 1
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)
    assert auth_client.get("/movies/?page=1").status_code == 503
    calls = len(fake_upstream.log)

    response = auth_client.get("/movies/?page=2")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert len(fake_upstream.log) == calls


def test_a_malformed_payload_is_a_bad_gateway(auth_client, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json({"count": 1, "results": "nope"})

    response = auth_client.get("/movies/")

    assert response.status_code == 502
    assert response.json() == problem(502, "Bad Gateway", "The movie catalog answered with a malformed payload.")


def test_a_slow_upstream_is_a_gateway_timeout(auth_client, fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 0.3
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 5.0

    fake_upstream.expect_request(MOVIES_PATH).respond_with_handler(slow_handler(1.0, upstream_payload()))

    response = auth_client.get("/movies/")

    assert response.status_code == 504
    assert response.json() == problem(504, "Gateway Timeout", "The movie catalog did not answer in time.")


def test_a_stale_page_is_served_and_marked_while_the_upstream_is_down(auth_client, fake_upstream, settings):
    settings.MOVIES_CACHE_FRESH_SECONDS = 0
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)
    fresh = auth_client.get("/movies/")

    stale = auth_client.get("/movies/")

    assert stale.status_code == 200
    assert stale["X-Cache-Stale"] == "true"
    assert stale.json() == fresh.json()


def test_text_the_api_cannot_send_back_is_a_bad_gateway_and_not_kept(auth_client, fake_upstream):
    broken = json.dumps(upstream_payload(results=[{**FAKE_MOVIE, "title": "bad \ud800 title"}]))  # \\ud800 in JSON
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_data(broken, content_type="application/json")
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())

    refused = auth_client.get("/movies/")
    served = auth_client.get("/movies/")

    assert refused.status_code == 502
    assert refused.json() == problem(502, "Bad Gateway", "The movie catalog answered with a malformed payload.")
    assert (served.status_code, served.json()["data"]) == (200, [FAKE_MOVIE])


def test_a_count_the_api_cannot_answer_is_a_bad_gateway(auth_client, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(upstream_payload(count=2**31))

    response = auth_client.get("/movies/")

    assert response.status_code == 502


def test_an_upstream_retry_after_is_passed_on_at_most_an_hour(auth_client, fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data(
        "busy", status=503, headers={"Retry-After": "100000000000000000000"}
    )

    response = auth_client.get("/movies/")

    assert (response.status_code, response["Retry-After"]) == (503, "3600")
