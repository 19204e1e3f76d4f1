"""Upstreams over real sockets for the movie catalog tests (a pytest plugin).

`demo_upstream` is the project's own stand-in (the happy path, counts of
calls); `fake_upstream` is a threaded pytest-httpserver for scripted
faults. With either, a test gets small timeouts and backoffs, a private
empty cache and a closed circuit breaker (`movies_settings`).
"""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from movies import demo_catalog
from movies.client import breaker
from movies.demo_upstream import MOVIES_PATH, DemoUpstreamServer, serve
from movies.types import Movie, split_genres

FAKE_MOVIE = {
    "title": "The Quiet Harbor",
    "description": "A lighthouse keeper finds a letter.",
    "genres": "Drama,Mystery",
    "uuid": "0b7e4c1a-3f7d-4f8e-9a51-2c6d1e0f9a10",
}


def as_movie(item: dict[str, str]) -> Movie:
    """A movie of the upstream's wire format as the client gives it."""
    return Movie(
        uuid=uuid.UUID(item["uuid"]),
        title=item["title"],
        description=item["description"],
        genres=split_genres(item["genres"]),
    )


def upstream_payload(*, count: int = 25, page: int = 1, results: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A well-formed upstream page of a catalog of `count` movies, 10 a page."""
    last = -(-count // 10)
    base = f"http://upstream.invalid{MOVIES_PATH}"
    return {
        "count": count,
        "next": f"{base}?page={page + 1}" if page < last else None,
        "previous": f"{base}?page={page - 1}" if page > 1 else None,
        "results": [FAKE_MOVIE] if results is None else results,
    }


@pytest.fixture
def movies_settings(settings: Any) -> Any:
    """Fast knobs, a private cache, a closed breaker."""
    settings.MOVIES_API_USERNAME = "demo"
    settings.MOVIES_API_PASSWORD = "demo"
    settings.MOVIES_API_DEADLINE_SECONDS = 3.0
    settings.MOVIES_API_CONNECT_TIMEOUT_SECONDS = 0.5
    settings.MOVIES_API_READ_TIMEOUT_SECONDS = 1.0
    settings.MOVIES_API_MAX_ATTEMPTS = 3
    settings.MOVIES_API_BACKOFF_BASE_SECONDS = 0.01
    settings.MOVIES_API_BACKOFF_MAX_SECONDS = 0.05
    settings.MOVIES_API_RETRY_AFTER_SECONDS = 5
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 50
    settings.MOVIES_BREAKER_RESET_SECONDS = 30.0
    settings.MOVIES_CACHE_FRESH_SECONDS = 300
    settings.MOVIES_CACHE_STALE_SECONDS = 86400
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"movies-test-{uuid.uuid4()}",
        }
    }
    breaker.reset()
    yield settings
    breaker.reset()


@pytest.fixture
def demo_upstream(movies_settings: Any) -> Iterator[DemoUpstreamServer]:
    """The demo upstream on a free port; the app points at it."""
    server = serve("127.0.0.1", 0, username="demo", password="demo")
    movies_settings.MOVIES_API_URL = server.url
    yield server
    server.shutdown()


class FakeUpstream(HTTPServer):
    """pytest-httpserver, threaded (a slow handler does not hold up the next request), quick to stop."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=0, threaded=True)

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.01)


@pytest.fixture
def fake_upstream(movies_settings: Any) -> Iterator[HTTPServer]:
    """A fresh scripted upstream per test, so no late answer of a slow handler lands in another's log."""
    server = FakeUpstream()
    server.start()
    movies_settings.MOVIES_API_URL = server.url_for(MOVIES_PATH)
    yield server
    server.clear()
    server.stop()


def demo_page_body(page: int, host: str = "http://testserver") -> dict[str, Any]:
    """What `GET /movies/?page=N` answers for the demo catalog."""
    return {
        "count": demo_catalog.CATALOG_SIZE,
        "next": f"{host}/movies/?page={page + 1}" if page < demo_catalog.page_count() else None,
        "previous": f"{host}/movies/?page={page - 1}" if page > 1 else None,
        "data": list(demo_catalog.page(page)),
    }


def slow_handler(seconds: float, payload: dict[str, Any]) -> Callable[[Request], Response]:
    """A fake-upstream handler that answers `payload` after `seconds`."""

    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response(json.dumps(payload), content_type="application/json")

    return handler
