"""Every HTTP request counts once, on each store; the count never expires; the counter can be off."""

from typing import Any

import pytest
import redis
from django.test import Client
from rest_framework.test import APIClient

from metrics.counter import get_counter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.urls("tests.metrics.urls")
def test_every_kind_of_request_counts_once(counter_store: str, auth_client: APIClient) -> None:
    client = Client(raise_request_exception=False)
    responses = [
        auth_client.get("/collections/"),  # REST
        client.post(  # GraphQL: one HTTP request, however much it asks
            "/graphql/", {"query": "{ a: __typename b: __typename c: __typename }"}, content_type="application/json"
        ),
        client.post("/graphql/", "{not json", content_type="application/json"),
        client.get("/no-such-page/"),
        client.delete("/health/"),
        client.get("/health/"),
        client.get("/admin/login/"),
        client.get("/fail/"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 400, 404, 405, 200, 200, 500]

    response = auth_client.get("/request-count/")

    assert response.status_code == 200
    assert response.json() == {"requests": 9}


def test_the_redis_count_never_expires(redis_counter: redis.Redis, auth_client: APIClient) -> None:
    auth_client.get("/request-count/")

    count_key = get_counter().store.count_key
    assert redis_counter.get(count_key) == b"1"
    assert redis_counter.ttl(count_key) == -1  # no expiry


def test_a_disabled_counter_counts_nothing(settings: Any, redis_counter: redis.Redis, auth_client: APIClient) -> None:
    settings.REQUEST_COUNTER_ENABLED = False
    Client().get("/health/")

    assert auth_client.get("/request-count/").json() == {"requests": 0}


def test_synchronous_writes_count_every_request(settings: Any, counter_store: str, auth_client: APIClient) -> None:
    settings.REQUEST_COUNTER_FLUSH_MS = 0
    for _ in range(3):
        Client().get("/health/")

    assert auth_client.get("/request-count/").json() == {"requests": 4}
