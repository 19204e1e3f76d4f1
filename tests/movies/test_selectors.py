"""`movie_page`: the cache, stale-if-error and single-flight, over real sockets."""

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from werkzeug import Request, Response

from movies import demo_catalog
from movies.cache import refresh_page
from movies.demo_upstream import MOVIES_PATH
from movies.exceptions import CatalogPageNotFoundError, CatalogUnavailableError
from movies.selectors import movie_page
from movies.types import Movie, MoviePage, split_genres
from tests.plugins.upstreams import upstream_payload

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_a_page_has_numbers_links_and_movies(demo_upstream):
    page = movie_page(page=2)

    first = demo_catalog.page(2)[0]
    assert (page.count, page.page, page.next_page, page.previous_page, page.stale) == (45466, 2, 3, 1, False)
    assert len(page.results) == 10
    assert page.results[0] == Movie(
        uuid=uuid.UUID(first["uuid"]),
        title=first["title"],
        description=first["description"],
        genres=tuple(first["genres"].split(",")) if first["genres"] else (),
    )


def test_the_last_page_has_no_next_page(demo_upstream):
    page = movie_page(page=demo_catalog.page_count())

    assert (page.next_page, page.previous_page, len(page.results)) == (None, 4546, 6)


def test_genres_are_trimmed_and_empty_ones_dropped():
    assert split_genres(" Drama , ,Comedy,") == ("Drama", "Comedy")
    assert split_genres("") == ()


def test_a_cached_page_needs_no_upstream_call(demo_upstream):
    first = movie_page(page=1)
    second = movie_page(page=1)

    assert second == first
    assert demo_upstream.request_count == 1


def test_a_page_past_the_end_is_remembered(demo_upstream):
    for _ in range(3):
        with pytest.raises(CatalogPageNotFoundError):
            movie_page(page=5000)

    assert demo_upstream.request_count == 1


def test_a_page_below_one_is_refused():
    with pytest.raises(ValidationError) as error:
        movie_page(page=0)

    assert [(field, [e.code for e in errors]) for field, errors in error.value.error_dict.items()] == [
        ("page", ["min_value"])
    ]


def test_a_stale_copy_is_served_while_the_upstream_is_down(fake_upstream, settings):
    settings.MOVIES_CACHE_FRESH_SECONDS = 0  # every copy is stale at once
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)
    fresh = movie_page(page=1)

    stale = movie_page(page=1)

    assert (fresh.stale, stale.stale) == (False, True)
    assert stale.results == fresh.results
    assert len(fake_upstream.log) == 1 + settings.MOVIES_API_MAX_ATTEMPTS


def test_a_stale_copy_is_replaced_when_the_upstream_is_back(fake_upstream, settings):
    settings.MOVIES_CACHE_FRESH_SECONDS = 0
    fake_upstream.expect_request(MOVIES_PATH).respond_with_json(upstream_payload())
    movie_page(page=1)

    again = movie_page(page=1)

    assert again.stale is False
    assert len(fake_upstream.log) == 2


def test_without_a_kept_copy_the_failure_is_raised(fake_upstream):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)

    with pytest.raises(CatalogUnavailableError):
        movie_page(page=1)


def test_twenty_concurrent_requests_for_a_cold_page_make_one_upstream_call(demo_upstream):
    demo_upstream.latency_ms = 500  # the first call is still running when the others arrive
    start = threading.Barrier(20)

    def ask(_: int) -> MoviePage:
        start.wait()
        return movie_page(page=7)

    with ThreadPoolExecutor(max_workers=20) as pool:
        pages = list(pool.map(ask, range(20)))

    assert demo_upstream.request_count == 1
    assert all(page == pages[0] for page in pages)
    assert len(pages[0].results) == 10


def test_twenty_concurrent_requests_share_one_failing_call(fake_upstream, settings):
    settings.MOVIES_API_MAX_ATTEMPTS = 1
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 3.0

    def slow_failure(request: Request) -> Response:
        time.sleep(1.0)  # the first call is still running when the others arrive
        return Response("down", status=500)

    fake_upstream.expect_request(MOVIES_PATH).respond_with_handler(slow_failure)
    start = threading.Barrier(20)

    def ask(_: int) -> str:
        start.wait()
        try:
            movie_page(page=1)
        except CatalogUnavailableError as error:
            return type(error).__name__
        return "ok"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(ask, range(20)))

    assert outcomes == ["CatalogUnavailableError"] * 20
    assert len(fake_upstream.log) == 1


@pytest.fixture
def redis_cache(movies_settings):
    """The default cache on django-redis (db 15), under a key prefix of this test alone."""
    movies_settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": f"movies-test-{uuid.uuid4()}",
        }
    }
    yield cache
    cache.delete_pattern("*")


def test_a_page_is_cached_in_redis(redis_cache, demo_upstream):
    movie_page(page=3)
    movie_page(page=3)

    assert demo_upstream.request_count == 1
    assert len(redis_cache.keys("movies:*")) == 1


def test_processes_sharing_redis_make_one_upstream_call_for_a_cold_page(redis_cache, demo_upstream, settings):
    # Each thread here plays a separate process: it skips the in-process single-flight
    # and takes the Redis lock as its own owner.
    demo_upstream.latency_ms = 300
    start = threading.Barrier(5)

    def as_a_process(_: int) -> dict:
        start.wait()
        return refresh_page(page=4, deadline=time.monotonic() + settings.MOVIES_API_DEADLINE_SECONDS)

    with ThreadPoolExecutor(max_workers=5) as pool:
        entries = list(pool.map(as_a_process, range(5)))

    assert demo_upstream.request_count == 1
    assert all(entry == entries[0] for entry in entries)
    fetched = entries[0]["page"].results
    assert [str(movie.uuid) for movie in fetched] == [movie["uuid"] for movie in demo_catalog.page(4)]
