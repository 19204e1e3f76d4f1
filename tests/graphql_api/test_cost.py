"""What a document may be and what an operation may cost, checked before anything runs."""

import json
import time
import uuid

import pytest
from rest_framework.test import APIClient

from graphql_api import extensions, rate_limit
from graphql_api.extensions import DocumentChecks
from graphql_api.rate_limit import CostLimiter, LocalBuckets
from movie_collections import selectors
from movie_collections.models import Collection
from tests.conftest import bearer_client
from tests.factories import CollectionFactory, MovieFactory

pytestmark = pytest.mark.django_db


def ask(client: APIClient, query: str, variables: dict | None = None, **extra) -> tuple[int, dict]:
    response = client.post("/graphql/", {"query": query, "variables": variables or {}, **extra}, format="json")
    return response.status_code, response.json()


def doubling_fragments(count: int) -> str:
    """Fragments that each spread the next one twice: 2**count fields once written out."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(count)]
    return " ".join(["query { ...F0 }", *fragments, f"fragment F{count} on Query {{ __typename }}"])


def test_every_answer_carries_its_cost(user, monkeypatch):
    monkeypatch.setattr(rate_limit, "_limiter", CostLimiter(LocalBuckets()))  # balances known at once

    status, body = ask(bearer_client(user), "{ me { username } }")

    assert status == 200
    assert body == {
        "data": {"me": {"username": user.username}},
        "extensions": {
            "cost": {
                "requested": 1,
                "actual": 1,
                "bucket": {"available": 49_999, "capacity": 50_000, "refillPerSecond": 1000},
            }
        },
    }


COLLECTION = "00000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize(
    ("query", "variables", "requested"),
    [
        ("{ collections(pagination: {limit: 10}) { results { title } } }", {}, 1 + 10),
        ("query ($n: Int) { collections(pagination: {limit: $n}) { results { title } } }", {"n": 20}, 1 + 20),
        (
            "query ($p: OffsetPaginationInput) { collections(pagination: $p) { results { uuid } } }",
            {"p": {"limit": 3}},
            1 + 3,
        ),
        ("{ collections { results { title } } }", {}, 1 + 100),
        ("{ collections(pagination: {limit: 5000}) { results { title } } }", {}, 1 + 1000),
        ("{ collections { totalCount } }", {}, 1),
        (f'{{ collection(uuid: "{COLLECTION}") {{ title movies(limit: 5) {{ title genres }} }} }}', {}, 1 + 5),
        (f'{{ collection(uuid: "{COLLECTION}") {{ movies {{ title }} }} }}', {}, 1 + 1000),
        ("{ favouriteGenres(limit: 7) { name } }", {}, 5 + 7),
        ("{ movies { count results { title } } }", {}, 10 + 1 + 50),
        ("{ a: me { username } b: me { username } }", {}, 2),
        ("{ ...F } fragment F on Query { me { username } }", {}, 1),
        ("{ requestCount __typename }", {}, 0),
    ],
)
def test_the_requested_cost_counts_the_objects_a_query_may_answer(user, query, variables, requested):
    _, body = ask(bearer_client(user), query, variables)

    assert body["extensions"]["cost"]["requested"] == requested


def test_the_actual_cost_counts_the_objects_answered(user):
    for _ in range(3):
        CollectionFactory(owner=user, movies=MovieFactory.build_batch(2))

    _, body = ask(bearer_client(user), "{ collections(pagination: {limit: 4}) { results { title movies { title } } } }")

    # the page, 3 collections, 2 movies each; the worst case is 4 collections of 1,000 movies
    assert body["extensions"]["cost"]["requested"] == 1 + 4 * (1 + 1000)
    assert body["extensions"]["cost"]["actual"] == 1 + 3 * (1 + 2)


def test_a_query_that_could_answer_too_much_is_refused_before_it_runs(user, django_assert_num_queries):
    CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))

    with django_assert_num_queries(1):  # the token's user; not one collection is read
        status, body = ask(bearer_client(user), "{ collections { results { movies { genres } } } }")

    cost = 1 + 100 * (1 + 1000)
    assert status == 200
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": f"The query would cost {cost} points; at most 5000 are allowed. Ask for smaller pages.",
            "extensions": {"code": "QUERY_TOO_COMPLEX", "cost": cost, "maxCost": 5000},
        }
    ]


def test_the_rest_faces_documents_fit_in_the_cost_limit(auth_client, user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(2))

    responses = [auth_client.get("/collections/"), auth_client.get(f"/collections/{collection.uuid}/")]

    assert [response.status_code for response in responses] == [200, 200]


def test_doubling_fragments_are_refused_at_once():
    started = time.monotonic()
    status, body = ask(APIClient(), doubling_fragments(40))
    elapsed = time.monotonic() - started

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"'anonymous' selects {2**40} fields once its fragments are written out. Allowed: 1000",
                "locations": [{"line": 1, "column": 1}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }
    assert elapsed < 1  # it took hours before the limits were computed once per fragment


def test_a_field_repeated_past_the_field_limit_is_refused_before_validation(monkeypatch):
    validated = []
    monkeypatch.setattr(extensions, "validate_document", lambda *args: validated.append(args) or [])

    status, body = ask(APIClient(), "{ " + " ".join(["__typename"] * 390) + " }")

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "The document has 390 fields and fragment spreads. Allowed: 200",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }
    assert validated == []  # graphql-core's rules (one of them quadratic) never saw it


def test_a_document_larger_than_the_limit_is_refused_unparsed(settings, monkeypatch):
    settings.GRAPHQL_MAX_DOCUMENT_BYTES = 1000
    parsed = []
    monkeypatch.setattr(extensions, "parse", lambda *args, **kwargs: parsed.append(args))

    status, body = ask(APIClient(), "{ __typename }" + " " * 1000 + "# unique " + uuid.uuid4().hex)

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {"message": "The document is larger than 1000 bytes.", "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}
        ],
    }
    assert parsed == []


def test_unique_documents_do_not_grow_the_cache_past_its_bounds():
    cache = DocumentChecks.cache
    cache.clear()
    small = [f"{{ __typename }} # {index}" for index in range(cache.max_entries + 50)]
    large = ["{ __typename }" + " " * extensions.CACHEABLE_DOCUMENT_BYTES + f"# {index}" for index in range(5)]

    answers = {json.dumps(ask(APIClient(), query)[1]["data"]) for query in small + large}

    assert answers == {json.dumps({"__typename": "Query"})}
    assert len(cache) == cache.max_entries
    assert all(len(text) <= extensions.CACHEABLE_DOCUMENT_BYTES for _, text in cache.keys())  # noqa: SIM118


def test_a_document_of_several_operations_needs_the_name_of_one(user, counter_store):
    client = bearer_client(user)
    client.get("/health/")

    status, body = ask(client, "mutation B { resetRequestCount } query A { requestCount }")
    named = ask(client, "mutation B { resetRequestCount } query A { requestCount }", operationName="A")

    assert (status, body) == (
        200,
        {
            "data": None,
            "errors": [
                {
                    "message": "Must provide operation name if query contains multiple operations.",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ],
        },
    )
    assert named[1]["data"] == {"requestCount": 3}  # the refused reset did not run: 1 after a reset


def slow(function, seconds: float):
    def wrapper(**kwargs):
        time.sleep(seconds)
        return function(**kwargs)

    return wrapper


def test_an_operation_past_its_deadline_stops_with_one_error(user, settings, monkeypatch):
    settings.GRAPHQL_DEADLINE_SECONDS = 0.05
    monkeypatch.setattr(selectors, "favourite_genres", slow(selectors.favourite_genres, 0.1))
    calls = []
    monkeypatch.setattr(selectors, "collection_list", lambda **kw: calls.append(kw) or Collection.objects.none())

    status, body = ask(bearer_client(user), "{ favouriteGenres { name } collections { totalCount } me { username } }")

    assert status == 200
    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        ("The request ran out of time.", "DEADLINE_EXCEEDED")
    ]
    assert calls == []  # nothing ran after the deadline


def test_a_rest_request_past_its_deadline_is_unavailable(auth_client, settings, monkeypatch):
    settings.GRAPHQL_DEADLINE_SECONDS = 0.05
    monkeypatch.setattr(selectors, "collection_list", slow(selectors.collection_list, 0.1))

    response = auth_client.get("/collections/")

    assert response.status_code == 503
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The request ran out of time.",
    }
