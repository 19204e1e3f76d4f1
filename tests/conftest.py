"""Fixtures shared by every test: users, authenticated clients, a GraphQL caller.

The upstreams and the request counter's stores come from the plugins in
`tests/plugins/`; the durations of the slow multi-process tests are
reported at the end of every run.
"""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test.signals import setting_changed
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import authentication
from graphql_api import rate_limit
from metrics.counter import shutdown_counter
from tests.factories import UserFactory

pytest_plugins = [
    "tests.plugins.upstreams",
    "tests.plugins.request_counter",
    "tests.plugins.servers",
    "tests.plugins.browser",
]

GraphQL = Callable[..., tuple[int, dict[str, Any]]]


def _rebuild_counter_from_new_settings(*, setting: str, **kwargs: Any) -> None:
    # Tests change settings inside their transactions: the old counter writes nothing.
    if setting.startswith("REQUEST_COUNTER_"):
        shutdown_counter(hand_over=False)


setting_changed.connect(_rebuild_counter_from_new_settings)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How long the slow (multi-process) tests took: CI runs them; here is their price."""
    reports = [
        report
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if report.when == "call" and "slow" in report.keywords
    ]
    if reports:
        terminalreporter.section("slow tests")
        for report in reports:
            terminalreporter.write_line(f"{report.duration:6.1f}s {report.nodeid}")
        terminalreporter.write_line(f"{sum(r.duration for r in reports):6.1f}s in all")


@pytest.fixture(scope="session", autouse=True)
def _counter_stops_before_the_test_databases_go(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A flusher thread holds a connection of its own, which would keep PostgreSQL from dropping the test database."""
    yield
    with django_db_blocker.unblock():
        shutdown_counter()


@pytest.fixture(autouse=True)
def _clear_cache(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Empty caches: Django's, the users of tokens, and cost buckets of this test alone."""
    cache.clear()
    monkeypatch.setattr(authentication, "users", authentication.UserCache())
    monkeypatch.setattr(authentication, "verified", authentication.VerifiedTokens())
    settings.CACHE_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(rate_limit, "_limiter", None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Production hashing costs about half a second a user; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory()


def bearer_client(user: Any) -> APIClient:
    """A client sending an access token of `user` (only an access token: no refresh token is recorded)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user: Any) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def graphql(db: None) -> GraphQL:
    """`graphql(query, variables=None, user=None)` posts to /graphql/ and answers (status, json).

    The json leaves out `extensions`, which carries every answer's cost:
    the cost tests read it from the response.
    """

    def execute(query: str, variables: dict[str, Any] | None = None, user: Any = None) -> tuple[int, dict[str, Any]]:
        client = bearer_client(user) if user is not None else APIClient()
        response = client.post("/graphql/", {"query": query, "variables": variables or {}}, format="json")
        body = response.json()
        body.pop("extensions", None)
        return response.status_code, body

    return execute
