"""GET /health/: the database and (when configured) Redis answer, the migrations are applied; no token needed."""

import os
import socket

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from backend.health import Migrations

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
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_health_ignores_a_bad_token(api_client, without_redis):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    response = api_client.get("/health/")

    assert response.status_code == 200


@pytest.mark.redis
def test_health_checks_redis_when_configured(api_client, settings):
    settings.REDIS_URL = TEST_REDIS_URL

    response = api_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}


def test_health_is_unavailable_naming_redis_when_redis_is_down(api_client, settings, closed_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"

    response = api_client.get("/health/")

    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "Not ready: redis down.",
        "checks": {"database": "ok", "migrations": "ok", "redis": "down"},
    }


def test_health_is_unavailable_until_every_migration_is_applied(api_client, without_redis, monkeypatch):
    monkeypatch.setattr(Migrations, "applied", False)
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied("collections", "0003_collection_version")  # undone with the test's transaction

    pending = api_client.get("/health/")
    recorder.record_applied("collections", "0003_collection_version")
    applied = api_client.get("/health/")

    assert pending.status_code == 503
    assert pending.json()["detail"] == "Not ready: migrations pending."
    assert pending.json()["checks"] == {"database": "ok", "migrations": "pending"}
    assert applied.status_code == 200


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
