"""GET /health/: the database and (when configured) Redis answer, no token needed."""

import os
import socket

import pytest

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def without_redis(settings) -> None:
    settings.REDIS_URL = ""


@pytest.mark.parametrize("path", ["/health/", "/health"])
def test_health_is_ok_without_authentication(api_client, without_redis, path):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_health_ignores_a_bad_token(api_client, without_redis):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    response = api_client.get("/health/")

    assert response.status_code == 200


def test_health_checks_redis_when_configured(api_client, settings):
    settings.REDIS_URL = TEST_REDIS_URL

    response = api_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_health_is_unavailable_naming_redis_when_redis_is_down(api_client, settings, closed_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"

    response = api_client.get("/health/")

    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "Down: redis.",
        "checks": {"database": "ok", "redis": "down"},
    }


def test_health_answers_head_for_load_balancers(api_client, without_redis):
    response = api_client.head("/health/")

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_health_refuses_other_methods_with_a_problem(api_client, method):
    response = api_client.generic(method, "/health/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "Method Not Allowed.",
    }
