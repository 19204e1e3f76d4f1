"""`Query.requestCount` and `Mutation.resetRequestCount`, on each store of the counter."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def test_request_count_reads_the_count(counter_store: str, graphql: Any, user: Any) -> None:
    Client().get("/health/")

    status, body = graphql("{ requestCount }", user=user)

    assert (status, body) == (200, {"data": {"requestCount": 2}})


def test_reset_answers_the_count_it_cleared(counter_store: str, graphql: Any, user: Any) -> None:
    for _ in range(3):
        Client().get("/health/")

    status, body = graphql("mutation { resetRequestCount }", user=user)

    assert (status, body) == (200, {"data": {"resetRequestCount": 4}})
    assert graphql("{ requestCount }", user=user)[1] == {"data": {"requestCount": 1}}


@pytest.mark.parametrize("query", ["{ requestCount }", "mutation { resetRequestCount }"])
def test_reading_and_resetting_need_a_token(counter_store: str, graphql: Any, query: str) -> None:
    _, body = graphql(query)

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
