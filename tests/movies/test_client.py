"""The upstream client over real sockets: retries, deadline, breaker, validation."""

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from movies import client
from movies.demo_upstream import MOVIES_PATH
from movies.exceptions import (
    CatalogBadResponseError,
    CatalogPageNotFoundError,
    CatalogTimeoutError,
    CatalogUnavailableError,
)
from tests.plugins.upstreams import FAKE_MOVIE, as_movie, slow_handler, upstream_payload


def expect_ordered(server: HTTPServer, page: int = 1):
    return server.expect_ordered_request(MOVIES_PATH, query_string={"page": str(page)})


def test_a_normal_page_is_fetched_and_validated(demo_upstream):
    page = client.fetch_page(page=1)

    assert page.count == 45466
    assert len(page.results) == 10
    assert (page.page, page.next_page, page.previous_page) == (1, 2, None)
    assert demo_upstream.request_count == 1


def test_basic_auth_credentials_are_sent(fake_upstream):
    # "demo:demo" in base64
    fake_upstream.expect_request(MOVIES_PATH, headers={"Authorization": "Basic ZGVtbzpkZW1v"}).respond_with_json(
        upstream_payload()
    )

    assert client.fetch_page(page=1).results == (as_movie(FAKE_MOVIE),)


def test_wrong_credentials_are_a_bad_response(demo_upstream, settings):
    settings.MOVIES_API_PASSWORD = "wrong"

    with pytest.raises(CatalogBadResponseError):
        client.fetch_page(page=1)
    assert demo_upstream.request_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_then_success_is_retried(fake_upstream, status):
    expect_ordered(fake_upstream).respond_with_data("oops", status=status)
    expect_ordered(fake_upstream).respond_with_json(upstream_payload())

    page = client.fetch_page(page=1)

    assert page.results == (as_movie(FAKE_MOVIE),)
    assert len(fake_upstream.log) == 2


def test_a_timeout_then_success_is_retried(fake_upstream, settings):
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 0.5
    expect_ordered(fake_upstream).respond_with_handler(slow_handler(2.0, upstream_payload()))
    expect_ordered(fake_upstream).respond_with_json(upstream_payload())

    page = client.fetch_page(page=1)

    assert page.results == (as_movie(FAKE_MOVIE),)  # only the second, fast answer can have given it


def test_a_connection_refused_is_unavailable(settings):
    settings.MOVIES_API_URL = "http://127.0.0.1:9/api/v1/maya/movies/"  # discard port: nobody listens

    with pytest.raises(CatalogUnavailableError) as caught:
        client.fetch_page(page=1)
    assert caught.value.retry_after == 5


def test_429_with_retry_after_is_waited_out_then_retried(fake_upstream):
    expect_ordered(fake_upstream).respond_with_data("slow down", status=429, headers={"Retry-After": "1"})
    expect_ordered(fake_upstream).respond_with_json(upstream_payload())

    page = client.fetch_page(page=1)

    assert page.results == (as_movie(FAKE_MOVIE),)
    assert len(fake_upstream.log) == 2


def test_a_retry_after_beyond_the_deadline_is_not_waited_but_passed_on(fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("busy", status=503, headers={"Retry-After": "120"})

    with pytest.raises(CatalogUnavailableError) as caught:
        client.fetch_page(page=1)

    assert caught.value.retry_after == 120
    assert len(fake_upstream.log) == 1


def test_a_retry_after_date_is_understood():
    when = datetime.now(UTC) + timedelta(seconds=90)

    seconds = client.parse_retry_after({"Retry-After": format_datetime(when, usegmt=True)})

    assert 80 < seconds <= 90


def test_a_permanent_failure_gives_up_after_the_last_attempt(fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)

    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)
    assert len(fake_upstream.log) == 3


def test_a_permanent_failure_never_outlives_the_deadline(fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 0.5
    settings.MOVIES_API_MAX_ATTEMPTS = 1000
    settings.MOVIES_API_BACKOFF_BASE_SECONDS = 0.05
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)

    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)
    # Backoff doubles up to 50 ms: a 0.5 s deadline leaves room for a handful of attempts, not 1000.
    assert len(fake_upstream.log) < 20


def test_a_slow_upstream_runs_into_the_deadline(fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 0.3
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 5.0
    fake_upstream.expect_request(MOVIES_PATH).respond_with_handler(slow_handler(1.0, upstream_payload()))

    with pytest.raises(CatalogTimeoutError):
        client.fetch_page(page=1)


def test_a_trickling_body_cannot_outlive_the_deadline(fake_upstream, settings):
    settings.MOVIES_API_DEADLINE_SECONDS = 0.5
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 5.0
    body = json.dumps(upstream_payload()).encode()

    def trickle(request: Request) -> Response:
        def one_byte_at_a_time():
            for byte in body:
                time.sleep(0.05)
                yield bytes([byte])

        return Response(one_byte_at_a_time(), content_type="application/json")

    fake_upstream.expect_request(MOVIES_PATH).respond_with_handler(trickle)

    # Each byte comes well within the read timeout; only the deadline can stop it.
    with pytest.raises(CatalogTimeoutError):
        client.fetch_page(page=1)


def test_connections_to_the_upstream_are_reused(demo_upstream):
    for page in (1, 2, 3):
        client.fetch_page(page=page)

    assert (demo_upstream.request_count, demo_upstream.connection_count) == (3, 1)


def test_a_page_past_the_end_is_not_found(demo_upstream):
    with pytest.raises(CatalogPageNotFoundError):
        client.fetch_page(page=4548)


@pytest.mark.parametrize(
    "body",
    [
        "<html>not json</html>",
        "[]",
        json.dumps({**upstream_payload(), "count": "25"}),
        json.dumps({**upstream_payload(), "count": -1}),
        json.dumps({**upstream_payload(), "count": True}),
        json.dumps({**upstream_payload(), "next": 2}),
        json.dumps({k: v for k, v in upstream_payload().items() if k != "previous"}),
        json.dumps({**upstream_payload(), "results": {"title": "x"}}),
        json.dumps({**upstream_payload(), "results": ["a movie"]}),
        json.dumps({**upstream_payload(), "results": [{**FAKE_MOVIE, "title": None}]}),
        json.dumps({**upstream_payload(), "results": [{**FAKE_MOVIE, "genres": ["Drama"]}]}),
        json.dumps({**upstream_payload(), "results": [{**FAKE_MOVIE, "uuid": "not-a-uuid"}]}),
        json.dumps({**upstream_payload(), "results": [{k: v for k, v in FAKE_MOVIE.items() if k != "description"}]}),
    ],
)
def test_a_malformed_payload_is_a_bad_response(fake_upstream, body):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data(body, content_type="application/json")

    with pytest.raises(CatalogBadResponseError):
        client.fetch_page(page=1)
    assert len(fake_upstream.log) == 1  # not retried: the same answer would come again


def test_an_oversized_payload_is_a_bad_response(fake_upstream, settings):
    settings.MOVIES_API_MAX_RESPONSE_BYTES = 1000
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(upstream_payload(results=[FAKE_MOVIE] * 20))

    with pytest.raises(CatalogBadResponseError):
        client.fetch_page(page=1)


def test_the_breaker_opens_after_consecutive_failures_and_stops_calling(fake_upstream, settings):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 2
    settings.MOVIES_API_MAX_ATTEMPTS = 1
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)
    for _ in range(2):
        with pytest.raises(CatalogUnavailableError):
            client.fetch_page(page=1)
    assert len(fake_upstream.log) == 2

    for _ in range(5):
        with pytest.raises(CatalogUnavailableError) as caught:
            client.fetch_page(page=1)

    assert len(fake_upstream.log) == 2
    assert caught.value.retry_after == 30  # the cool-down left, rounded up


def test_the_breaker_lets_a_probe_through_after_the_cool_down(fake_upstream, settings):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 1
    settings.MOVIES_BREAKER_RESET_SECONDS = 0.2
    settings.MOVIES_API_MAX_ATTEMPTS = 1
    expect_ordered(fake_upstream).respond_with_data("down", status=500)
    expect_ordered(fake_upstream).respond_with_json(upstream_payload())
    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)
    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)  # open: no call
    assert len(fake_upstream.log) == 1

    time.sleep(0.3)
    page = client.fetch_page(page=1)

    assert page.results == (as_movie(FAKE_MOVIE),)
    assert len(fake_upstream.log) == 2
    assert client.breaker.retry_after() is None  # closed again


def test_a_failed_probe_opens_the_breaker_again(fake_upstream, settings):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 1
    settings.MOVIES_BREAKER_RESET_SECONDS = 0.2
    settings.MOVIES_API_MAX_ATTEMPTS = 1
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)
    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)
    time.sleep(0.3)
    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)  # the probe
    assert len(fake_upstream.log) == 2

    with pytest.raises(CatalogUnavailableError):
        client.fetch_page(page=1)

    assert len(fake_upstream.log) == 2


def test_pages_past_the_end_do_not_open_the_breaker(fake_upstream, settings):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 1
    fake_upstream.expect_request(MOVIES_PATH, query_string={"page": "9"}).respond_with_json(
        {"detail": "Invalid page."}, status=404
    )
    fake_upstream.expect_request(MOVIES_PATH, query_string={"page": "1"}).respond_with_json(upstream_payload())
    for _ in range(3):
        with pytest.raises(CatalogPageNotFoundError):
            client.fetch_page(page=9)

    assert client.fetch_page(page=1).results == (as_movie(FAKE_MOVIE),)
