"""The one error path: each domain exception stands for one API error code."""

import pytest
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from accounts.services import InvalidCredentials
from accounts.throttling import Throttled
from graphql_api.errors import api_error, from_domain
from metrics.stores import CounterUnavailable
from movie_collections.models import Collection
from movies.exceptions import (
    CatalogBadResponseError,
    CatalogPageNotFoundError,
    CatalogTimeoutError,
    CatalogUnavailableError,
)


@pytest.mark.parametrize(
    ("exception", "message", "extensions"),
    [
        (
            ValidationError({"title": ValidationError("This field may not be blank.", code="blank")}),
            "This field may not be blank.",
            {
                "code": "BAD_USER_INPUT",
                "field": "title",
                "errors": [{"field": "title", "code": "blank", "message": "This field may not be blank."}],
            },
        ),
        (Collection.DoesNotExist("No such collection."), "No such collection.", {"code": "NOT_FOUND"}),
        (CatalogPageNotFoundError(9), "Page 9 is past the end of the catalog.", {"code": "NOT_FOUND"}),
        (InvalidCredentials(), "The credentials or the token are not valid.", {"code": "UNAUTHENTICATED"}),
        (Throttled(retry_after=7), "Too many attempts; retry in 7 s.", {"code": "RATE_LIMITED", "retryAfter": 7}),
        (
            CounterUnavailable("Redis: gone"),
            "The request counter's store is unavailable.",
            {"code": "SERVICE_UNAVAILABLE"},
        ),
        (
            CatalogUnavailableError(retry_after=3),
            "The movie catalog is unavailable.",
            {"code": "UPSTREAM_UNAVAILABLE", "retryAfter": 3},
        ),
        (
            CatalogBadResponseError("results is not a list"),
            "The movie catalog answered with a malformed payload.",
            {"code": "UPSTREAM_BAD_RESPONSE"},
        ),
        (
            CatalogTimeoutError("too slow"),
            "The movie catalog did not answer in time.",
            {"code": "UPSTREAM_TIMEOUT"},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_each_domain_exception_maps_to_its_code(exception, message, extensions):
    error = from_domain(exception)

    assert (error.message, error.extensions) == (message, extensions)


def test_an_unexpected_exception_is_masked_where_it_happened():
    raised = GraphQLError("secret internals", path=["collections"], original_error=RuntimeError("secret internals"))

    error = api_error(raised)

    assert (error.message, error.path, error.extensions) == (
        "An unexpected error occurred.",
        ["collections"],
        {"code": "INTERNAL_SERVER_ERROR"},
    )
    assert from_domain(RuntimeError("secret internals")) is None
