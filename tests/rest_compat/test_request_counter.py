"""`GET /request-count/` and `POST /request-count/reset/`, on each store of the counter."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_count_includes_the_request_that_reads_it(counter_store: str, auth_client: APIClient) -> None:
    first = auth_client.get("/request-count")
    second = auth_client.get("/request-count/")

    assert (first.json(), second.json()) == ({"requests": 1}, {"requests": 2})


def test_reset_clears_the_count(counter_store: str, auth_client: APIClient) -> None:
    for _ in range(3):
        Client().get("/health/")

    response = auth_client.post("/request-count/reset/")

    assert response.status_code == 200
    assert response.json() == {"message": "request count reset successfully"}
    assert auth_client.get("/request-count/").json() == {"requests": 1}


def test_reading_and_resetting_need_a_token(counter_store: str, api_client: APIClient) -> None:
    assert api_client.get("/request-count/").status_code == 401
    assert api_client.post("/request-count/reset/").status_code == 401
