"""A store outage loses nothing: the count stays held in the process and arrives afterwards."""

import time
from typing import Any

import pytest
import redis
from django.test import Client
from rest_framework.test import APIClient

from metrics.counter import get_counter
from tests.plugins.request_counter import PrivateRedis, free_port

pytestmark = pytest.mark.django_db

FLUSH_WAIT_SECONDS = 5

UNAVAILABLE = {
    "type": "about:blank",
    "title": "Service Unavailable",
    "status": 503,
    "detail": "The request counter's store is unavailable.",
}


def serve(count: int) -> None:
    for _ in range(count):
        assert Client().get("/health/").status_code == 200


def wait_for_count(server: PrivateRedis, expected: int) -> int:
    """The stored count once it reaches `expected`, or whatever it is after a bounded wait."""
    client = redis.Redis.from_url(server.url)
    key = get_counter().store.count_key
    deadline = time.monotonic() + FLUSH_WAIT_SECONDS
    while (count := int(client.get(key) or 0)) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    client.close()
    return count


def test_requests_held_through_a_redis_restart_arrive_afterwards(
    settings: Any, counter_prefix: str, private_redis: PrivateRedis, auth_client: APIClient
) -> None:
    settings.REQUEST_COUNTER_REDIS_URL = private_redis.url
    settings.REQUEST_COUNTER_KEY_PREFIX = counter_prefix
    serve(3)
    assert auth_client.get("/request-count/").json() == {"requests": 4}

    private_redis.stop()
    serve(5)  # the request path never waits for the store
    during = auth_client.get("/request-count/")
    private_redis.start()
    flushed = wait_for_count(private_redis, 4 + 5 + 1)  # the flusher delivers them, no read needed
    after = auth_client.get("/request-count/")

    assert during.status_code == 503
    assert during.headers["Content-Type"] == "application/problem+json"
    assert during.json() == UNAVAILABLE
    assert flushed == 10
    assert after.json() == {"requests": 4 + 5 + 1 + 1}


def test_a_store_on_a_closed_port_answers_503_and_holds_the_count(
    settings: Any, counter_prefix: str, auth_client: APIClient, graphql: Any, user: Any
) -> None:
    settings.REQUEST_COUNTER_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.REQUEST_COUNTER_KEY_PREFIX = counter_prefix
    serve(3)

    rest = auth_client.get("/request-count/")
    status, body = graphql("{ requestCount }", user=user)
    reset = auth_client.post("/request-count/reset/")

    assert (rest.status_code, rest.json()) == (503, UNAVAILABLE)
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert reset.status_code == 503
    assert get_counter().held() == 6
