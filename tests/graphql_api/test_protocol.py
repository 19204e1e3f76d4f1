"""The HTTP protocol of POST /graphql/: authentication, malformed requests, limits, error codes.

Every answer is JSON: GraphQL results for what reached execution, problem
documents (with a GraphQL `errors` list) for what did not.
"""

import json
import logging
import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from graphql import get_introspection_query
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow
from strawberry.permission import PermissionExtension

from accounts.services import tokens_for_user
from graphql_api.extensions import DocumentChecks, OperationChecks
from graphql_api.permissions import IsAuthenticated
from graphql_api.schema import schema
from movie_collections import selectors
from tests.conftest import bearer_client
from tests.factories import CollectionFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
NO_CREDENTIALS = "Authentication credentials were not provided or are invalid."
INVALID_TOKEN = "The access token is invalid or expired."
PASSWORD = "correct-horse-battery-staple"
INTEGER = "A valid integer is required."
PUBLIC_FIELDS = {"register", "obtainToken", "refreshToken", "logout"}

# One document per field that needs a token, each selecting that one field.
PROTECTED_DOCUMENTS = {
    "me": "{ me { username } }",
    "node": '{ node(id: "VXNlcjox") { id } }',
    "collections": "{ collections { totalCount } }",
    "collection": '{ collection(uuid: "00000000-0000-0000-0000-000000000001") { title } }',
    "favouriteGenres": "{ favouriteGenres { name } }",
    "movies": "{ movies { count } }",
    "requestCount": "{ requestCount }",
    "createCollection": 'mutation { createCollection(input: {title: "x"}) { uuid } }',
    "updateCollection": (
        'mutation { updateCollection(uuid: "00000000-0000-0000-0000-000000000001", input: {title: "x"}) { uuid } }'
    ),
    "deleteCollection": 'mutation { deleteCollection(uuid: "00000000-0000-0000-0000-000000000001") }',
    "resetRequestCount": "mutation { resetRequestCount }",
}


def post(client, body: object, content_type: str = "application/json", **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.generic("POST", "/graphql/", data, content_type=content_type, **headers)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def answer(response) -> dict:
    """The JSON of a GraphQL answer without `extensions` (its cost, which the cost tests check)."""
    body = response.json()
    body.pop("extensions", None)
    return body


def http_problem(status: int, title: str, message: str, code: str) -> dict:
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": message,
        "errors": [{"message": message, "extensions": {"code": code}}],
    }


def error_codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


def expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=aware_utcnow() - timedelta(hours=2), lifetime=timedelta(hours=1))
    return str(token)


# --- Authentication


def needs_a_user(field) -> bool:
    return any(
        isinstance(extension, PermissionExtension)
        and any(isinstance(permission, IsAuthenticated) for permission in extension.permissions)
        for extension in field.extensions
    )


def test_every_root_field_is_public_or_declares_that_it_needs_a_user():
    fields = [field for root in ("Query", "Mutation") for field in schema.get_type_by_name(root).fields]
    protected = {schema.config.name_converter.get_graphql_name(field) for field in fields if needs_a_user(field)}
    public = {schema.config.name_converter.get_graphql_name(field) for field in fields if not needs_a_user(field)}

    assert public == PUBLIC_FIELDS
    assert protected == set(PROTECTED_DOCUMENTS)  # each is checked for a token below


def test_every_root_field_is_public_or_checked_for_a_token_here(graphql):
    status, body = graphql("{ __schema { queryType { fields { name } } mutationType { fields { name } } } }")

    schema = body["data"]["__schema"]
    fields = {field["name"] for kind in ("queryType", "mutationType") for field in schema[kind]["fields"]}
    assert status == 200
    assert fields == PUBLIC_FIELDS | set(PROTECTED_DOCUMENTS)


@pytest.mark.parametrize("field", sorted(PROTECTED_DOCUMENTS))
def test_field_without_a_token_answers_unauthenticated_with_http_200(graphql, field):
    status, body = graphql(PROTECTED_DOCUMENTS[field])

    assert status == 200
    assert [(error["message"], error["path"], error["extensions"]) for error in body["errors"]] == [
        (NO_CREDENTIALS, [field], {"code": "UNAUTHENTICATED"})
    ]


def test_me_without_a_token_answers_exactly_one_unauthenticated_error(graphql):
    status, body = graphql("{ me { username } }")

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": NO_CREDENTIALS,
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }


def test_collections_without_a_token_are_not_listed(graphql):
    CollectionFactory()

    status, body = graphql("{ collections { totalCount results { title } } }")

    assert status == 200
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "token",
    ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "expired", "refresh", "deleted-user"],
)
@pytest.mark.parametrize(
    "document", ["{ me { username } }", 'mutation { obtainToken(username: "a", password: "b") { accessToken } }']
)
def test_invalid_token_is_http_401_for_the_whole_request(user, token, document):
    tokens = {
        "expired": lambda: expired_token(user),
        "refresh": lambda: tokens_for_user(user=user).refresh_token,
        "deleted-user": lambda: tokens_for_user(user=UserFactory(username="gone")).access_token,
    }
    value = tokens.get(token, lambda: token)()
    UserFactory._meta.model.objects.filter(username="gone").delete()

    response = post(APIClient(), {"query": document}, **bearer(value))

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == http_problem(401, "Unauthorized", INVALID_TOKEN, "UNAUTHENTICATED")


GRAPHQL_RESPONSE = "application/graphql-response+json"
APOLLO_ACCEPT = f"{GRAPHQL_RESPONSE},application/json;q=0.9"  # what Apollo Client 4 sends


def test_an_invalid_token_is_a_graphql_error_to_a_client_that_accepts_graphql_responses(user):
    response = post(APIClient(), {"query": "{ me { username } }"}, HTTP_ACCEPT=APOLLO_ACCEPT, **bearer("junk"))

    assert response.status_code == 401
    assert response["Content-Type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Accept" in response["Vary"]
    assert response.json() == {"errors": [{"message": INVALID_TOKEN, "extensions": {"code": "UNAUTHENTICATED"}}]}


def test_a_client_that_accepts_graphql_responses_gets_every_answer_in_that_type(user):
    client = bearer_client(user)

    answered = post(client, {"query": "{ me { username } }"}, HTTP_ACCEPT=APOLLO_ACCEPT)
    refused = post(client, {"query": 1}, HTTP_ACCEPT=APOLLO_ACCEPT)

    assert (answered.status_code, answered["Content-Type"]) == (200, f"{GRAPHQL_RESPONSE}; charset=utf-8")
    assert answered.json()["data"] == {"me": {"username": user.username}}
    assert (refused.status_code, refused["Content-Type"]) == (400, f"{GRAPHQL_RESPONSE}; charset=utf-8")
    assert [error["extensions"]["code"] for error in refused.json()["errors"]] == ["BAD_REQUEST"]
    assert list(refused.json()) == ["errors"]


def test_valid_token_authenticates(graphql, user):
    status, body = graphql("{ me { username } }", user=user)

    assert (status, body) == (200, {"data": {"me": {"username": user.username}}})


def test_register_obtain_and_refresh_tokens_need_no_token(graphql):
    credentials = {"username": "newcomer", "password": PASSWORD}
    arguments = "($username: String!, $password: String!)"
    tokens = "(username: $username, password: $password) { accessToken refreshToken }"
    register = f"mutation{arguments} {{ register{tokens} }}"
    obtain = f"mutation{arguments} {{ obtainToken{tokens} }}"
    refresh = "mutation($token: String!) { refreshToken(refreshToken: $token) { accessToken } }"

    registered = graphql(register, credentials)
    obtained = graphql(obtain, credentials)
    refreshed = graphql(refresh, {"token": obtained[1]["data"]["obtainToken"]["refreshToken"]})

    for status, body in (registered, obtained, refreshed):
        assert status == 200
        assert "errors" not in body
    access_token = refreshed[1]["data"]["refreshToken"]["accessToken"]
    me = post(APIClient(), {"query": "{ me { username } }"}, **bearer(access_token))
    assert answer(me) == {"data": {"me": {"username": "newcomer"}}}


def test_session_cookie_alone_does_not_authenticate(user):
    client = Client()
    client.force_login(user)

    response = post(client, {"query": "{ me { username } }"})

    assert response.status_code == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def test_bearer_request_needs_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = tokens_for_user(user=user).access_token

    response = post(client, {"query": 'mutation { createCollection(input: {title: "x"}) { title } }'}, **bearer(token))

    assert response.status_code == 200
    assert answer(response) == {"data": {"createCollection": {"title": "x"}}}


def test_anonymous_request_with_a_session_but_no_csrf_token_is_not_forbidden(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = post(client, {"query": "{ me { username } }"})

    assert response.status_code == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


# --- Malformed requests answer JSON


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("{bad", "application/json", 400, "Unable to parse request body as JSON"),
        ("", "application/json", 400, "Unable to parse request body as JSON"),
        (b"\xff\xfe{}", "application/json", 400, "The request body is not valid UTF-8."),
        ("[" * 100_000, "application/json", 400, "The JSON document is nested too deeply."),
        ('{"query": ' * 100_000, "application/json", 400, "The JSON document is nested too deeply."),
        ("5", "application/json", 400, "Expected a JSON object."),
        ('"{ __typename }"', "application/json", 400, "Expected a JSON object."),
        ("null", "application/json", 400, "No GraphQL query found in the request"),
        (
            {"query": 5},
            "application/json",
            400,
            "The GraphQL operation's `query` must be a string or null, if provided.",
        ),
        (
            {"query": ["{ me }"]},
            "application/json",
            400,
            "The GraphQL operation's `query` must be a string or null, if provided.",
        ),
        (
            {"query": "{ __typename }", "variables": [1]},
            "application/json",
            400,
            "The GraphQL operation's `variables` must be an object or null, if provided.",
        ),
        (
            {"query": "{ __typename }", "extensions": "x"},
            "application/json",
            400,
            "The GraphQL operation's `extensions` must be an object or null, if provided.",
        ),
        (
            [{"query": "{ __typename }"}, {"query": "{ __typename }"}],
            "application/json",
            400,
            "Batching is not enabled",
        ),
        ({}, "application/json", 400, "No GraphQL query found in the request"),
        ({"query": ""}, "application/json", 400, "No GraphQL query found in the request"),
        ({"variables": {}}, "application/json", 400, "No GraphQL query found in the request"),
        ("query=%7B__typename%7D", "application/x-www-form-urlencoded", 415, "Unsupported content type"),
        ("{ __typename }", "text/plain", 415, "Unsupported content type"),
        ("{ __typename }", "application/graphql", 415, "Unsupported content type"),
    ],
)
def test_malformed_post_answers_a_json_problem(api_client, settings, body, content_type, status, message):
    response = post(api_client, body, content_type=content_type)

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert response.json() == http_problem(status, HTTPStatus(status).phrase, message, "BAD_REQUEST")


@pytest.mark.parametrize("debug", [False, True])
def test_malformed_post_answers_json_also_with_debug_on(api_client, settings, debug):
    settings.DEBUG = debug

    response = post(api_client, {"query": 5})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert error_codes(response.json()) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    "query",
    ["mutation { resetRequestCount }", 'mutation { register(username: "a", password: "b") { accessToken } }'],
)
def test_mutation_over_get_is_method_not_allowed(api_client, query):
    response = api_client.get("/graphql/", {"query": query})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == http_problem(
        405, "Method Not Allowed", "mutations are not allowed when using GET", "BAD_REQUEST"
    )


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_not_allowed(api_client, method):
    response = api_client.generic(
        method, "/graphql/", json.dumps({"query": "{ __typename }"}), content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json() == http_problem(
        405, "Method Not Allowed", "GraphQL only supports GET and POST requests.", "BAD_REQUEST"
    )


def test_query_over_get_is_answered(api_client):
    response = api_client.get("/graphql/", {"query": "{ __typename }", "variables": "null"})

    assert response.status_code == 200
    assert answer(response) == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("{bad", "Unable to parse request body as JSON"),
        ("5", "Expected a JSON object."),
        ("[" * 100_000, "The JSON document is nested too deeply."),
    ],
)
def test_malformed_variables_over_get_answer_a_json_problem(api_client, variables, message):
    response = api_client.get("/graphql/", {"query": "{ __typename }", "variables": variables})

    assert response.status_code == 400
    assert response.json() == http_problem(400, "Bad Request", message, "BAD_REQUEST")


def test_get_without_a_query_from_a_script_answers_a_json_problem(api_client):
    response = api_client.get("/graphql/", HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response.json() == http_problem(400, "Bad Request", "No GraphQL query found in the request", "BAD_REQUEST")


def test_oversized_body_is_a_payload_too_large_problem(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64

    response = post(api_client, {"query": "{ __typename }", "variables": {"padding": "x" * 100}})

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Request Entity Too Large",
        "status": 413,
        "detail": "The request body is too large.",
    }


def test_graphiql_opens_for_a_browser(client):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# --- Limits


def test_standard_introspection_query_is_accepted(graphql):
    status, body = graphql(get_introspection_query())

    assert status == 200
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_fullest_introspection_query_is_accepted(graphql):
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    status, body = graphql(query)

    assert status == 200
    assert "errors" not in body


# The depth of a field is the number of fields above it: `title` below is at depth 3.
def test_query_deeper_than_the_limit_is_rejected(graphql, user, settings):
    settings.GRAPHQL_MAX_DEPTH = 2

    status, body = graphql("{ collections { results { movies { title } } } }", user=user)

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "'anonymous' exceeds maximum operation depth of 2",
                "locations": [{"line": 1, "column": 36}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


def test_query_at_the_depth_limit_is_answered(graphql, user, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    CollectionFactory(owner=user, title="Deep", movies=[])

    status, body = graphql("{ collections(pagination: {limit: 1}) { results { title movies { title } } } }", user=user)

    assert (status, body) == (200, {"data": {"collections": {"results": [{"title": "Deep", "movies": []}]}}})


def test_default_depth_limit_rejects_a_deeper_document(graphql, user, settings):
    depth = settings.GRAPHQL_MAX_DEPTH + 1
    query = "{ " + "me { " * depth + "username" + " }" * depth + " }"

    status, body = graphql(query, user=user)

    assert status == 200
    messages = [error["message"] for error in body["errors"]]
    assert f"'anonymous' exceeds maximum operation depth of {settings.GRAPHQL_MAX_DEPTH}" in messages
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{index}: __typename" for index in range(count)) + " }"


def test_too_many_aliases_are_rejected(graphql, settings):
    count = settings.GRAPHQL_MAX_ALIASES + 1

    status, body = graphql(aliased(count))

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"{count} aliases found. Allowed: {settings.GRAPHQL_MAX_ALIASES}",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


def test_aliases_up_to_the_limit_are_answered(graphql, settings):
    status, body = graphql(aliased(settings.GRAPHQL_MAX_ALIASES))

    assert status == 200
    assert body["data"] == {f"a{index}": "Query" for index in range(settings.GRAPHQL_MAX_ALIASES)}


def test_document_over_the_token_limit_is_rejected(graphql, settings):
    query = "{ " + " ".join(["__typename"] * (settings.GRAPHQL_MAX_TOKENS + 1)) + " }"

    status, body = graphql(query)

    assert status == 200
    assert body["data"] is None
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        (
            f"Syntax Error: Document contains more than {settings.GRAPHQL_MAX_TOKENS} tokens. Parsing aborted.",
            {"code": "GRAPHQL_PARSE_FAILED"},
        )
    ]


def test_document_over_the_token_limit_is_rejected_every_time(graphql, settings):
    query = "{ " + " ".join(["__typename"] * (settings.GRAPHQL_MAX_TOKENS + 1)) + " }"

    answers = [graphql(query) for _ in range(3)]

    assert [error_codes(body) for _, body in answers] == [["GRAPHQL_PARSE_FAILED"]] * 3


# --- Error codes


def test_unknown_field_is_a_validation_error_with_a_code(graphql):
    status, body = graphql("{ unheardOf }")

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Cannot query field 'unheardOf' on type 'Query'.",
                "locations": [{"line": 1, "column": 3}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ],
    }


@pytest.mark.parametrize("repeat", range(2))
def test_syntax_error_carries_a_code(graphql, repeat):
    status, body = graphql("{ me { username }")

    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 18}],
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("query", "variables", "field", "code", "reason", "at"),
    [
        (
            "query($uuid: UUID!) { collection(uuid: $uuid) { title } }",
            {"uuid": "nope"},
            "uuid",
            "invalid",
            "Must be a valid UUID.",
            "",
        ),
        ("query($page: Int!) { movies(page: $page) { count } }", {"page": "x"}, "page", "invalid", INTEGER, ""),
        (
            "query($page: Int!) { movies(page: $page) { count } }",
            {"page": 2**40},
            "page",
            "max_value",
            "Ensure this value is between -2147483648 and 2147483647.",
            "",
        ),
        (
            "mutation($input: CollectionCreateInput!) { createCollection(input: $input) { uuid } }",
            {"input": {"title": 5}},
            "title",
            "invalid",
            "Not a valid string.",
            " at .title",
        ),
        (
            "mutation($input: CollectionCreateInput!) { createCollection(input: $input) { uuid } }",
            {"input": {"title": None}},
            "title",
            "null",
            "This field may not be null.",
            " at .title",
        ),
    ],
    ids=["uuid", "int", "int-overflow", "input-field", "null"],
)
def test_variable_of_the_wrong_type_is_bad_user_input_in_rests_words(
    graphql, user, caplog, query, variables, field, code, reason, at
):
    with caplog.at_level(logging.ERROR):
        status, body = graphql(query, variables, user=user)

    variable = next(iter(variables))
    assert status == 200
    assert body["data"] is None
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        (
            f"Variable '${variable}' has invalid value{at}: {reason}",
            {"code": "BAD_USER_INPUT", "field": field, "errors": [{"field": field, "code": code, "message": reason}]},
        )
    ]
    assert caplog.records == []


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ('{ collection(uuid: "nope") { title } }', "uuid", "Must be a valid UUID."),
        ('{ movies(page: "x") { count } }', "page", INTEGER),
        ("mutation { createCollection(input: {title: 5}) { uuid } }", "title", "Not a valid string."),
        (
            'mutation { createCollection(input: {title: "t", movies: [{uuid: "x", title: "m"}]}) { uuid } }',
            "movies.0.uuid",
            "Must be a valid UUID.",
        ),
    ],
    ids=["uuid", "int", "input-field", "nested"],
)
def test_a_literal_of_the_wrong_type_is_bad_user_input_like_the_same_variable(graphql, user, query, field, reason):
    status, body = graphql(query, user=user)

    [error] = body["errors"]
    assert status == 200
    assert error["message"].endswith(f": {reason}")
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": field,
        "errors": [{"field": field, "code": "invalid", "message": reason}],
    }
    assert "locations" in error


def test_a_variable_inside_a_wrong_literal_is_not_reported_with_it(graphql, user):
    mutation = """mutation($title: String!) {
      createCollection(input: {title: $title, movies: [{uuid: "x", title: "m"}]}) { uuid }
    }"""

    _, body = graphql(mutation, {"title": "Fine"}, user=user)

    [error] = body["errors"]
    assert error["extensions"]["errors"] == [
        {"field": "movies.0.uuid", "code": "invalid", "message": "Must be a valid UUID."}
    ]


def test_a_malformed_movie_uuid_reads_the_same_on_both_faces(graphql, user):
    movie = {"uuid": "x", "title": "m", "description": "", "genres": ""}
    rest = bearer_client(user).post("/collections/", {"title": "t", "movies": [movie]}, format="json")
    mutation = "mutation($input: CollectionCreateInput!) { createCollection(input: $input) { uuid } }"
    _, body = graphql(mutation, {"input": {"title": "t", "movies": [{"uuid": "x", "title": "m"}]}}, user=user)

    assert rest.json()["errors"] == [{"field": "movies.0.uuid", "code": "invalid", "message": "Must be a valid UUID."}]
    assert body["errors"][0]["extensions"]["errors"] == rest.json()["errors"]


def test_unexpected_resolver_failure_is_masked_and_logged(graphql, user, settings, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(selectors, "collection_list", explode)

    for debug in (False, True):
        settings.DEBUG = debug
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            status, body = graphql("{ collections { totalCount } }", user=user)

        assert status == 200
        assert body == {
            "data": None,
            "errors": [
                {
                    "message": "An unexpected error occurred.",
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["collections"],
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ],
        }
        text = json.dumps(body)
        assert "secret internals" not in text
        assert "Traceback" not in text
        logged = [
            record for record in caplog.records if record.exc_info and "secret internals" in str(record.exc_info[1])
        ]
        assert len(logged) == 1


def test_failure_of_a_schema_extension_is_masked_and_logged(graphql, monkeypatch, caplog):
    def explode(self):
        raise RuntimeError("secret internals: /etc/passwd")
        yield

    monkeypatch.setattr(OperationChecks, "on_execute", explode)

    with caplog.at_level(logging.ERROR):
        status, body = graphql("{ __typename }")

    assert status == 200
    assert body == {
        "data": None,
        "errors": [{"message": "An unexpected error occurred.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
    }
    assert any(record.exc_info and "secret internals" in str(record.exc_info[1]) for record in caplog.records)


def test_expected_errors_are_not_logged_as_failures(graphql, caplog):
    with caplog.at_level(logging.ERROR):
        graphql("{ me { username } }")
        graphql("{ nope }")
        graphql("{ me {")

    assert caplog.records == []


# --- NUL characters: refused as invalid input, never a database error


def test_null_character_in_a_username_is_bad_user_input(graphql):
    status, body = graphql(
        "mutation($u: String!, $p: String!) { register(username: $u, password: $p) { accessToken } }",
        {"u": "nul\x00user", "p": PASSWORD},
    )

    assert status == 200
    assert body["data"] is None
    assert [(error["extensions"]["code"], error["extensions"]["field"]) for error in body["errors"]] == [
        ("BAD_USER_INPUT", "username")
    ]


def test_null_character_in_a_password_is_not_a_server_error(graphql):
    status, body = graphql(
        "mutation($u: String!, $p: String!) { register(username: $u, password: $p) { accessToken } }",
        {"u": "nulpassword", "p": "correct\x00horse-battery"},
    )

    assert status == 200
    assert "INTERNAL_SERVER_ERROR" not in json.dumps(body)


def test_null_character_in_credentials_is_unauthenticated(graphql, user):
    status, body = graphql(
        "mutation($u: String!, $p: String!) { obtainToken(username: $u, password: $p) { accessToken } }",
        {"u": f"{user.username}\x00", "p": PASSWORD},
    )

    assert status == 200
    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_null_characters_in_a_collection_are_bad_user_input(graphql, user):
    movie = {"uuid": str(uuid.uuid4()), "title": "T\x00", "description": "\x00", "genres": ["Drama", "Co\x00medy"]}

    status, body = graphql(
        "mutation($input: CollectionCreateInput!) { createCollection(input: $input) { uuid } }",
        {"input": {"title": "\x00", "description": "D\x00", "movies": [movie]}},
        user=user,
    )

    assert status == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [(item["field"], item["code"]) for item in error["extensions"]["errors"]] == [
        ("title", "null_characters_not_allowed"),
        ("description", "null_characters_not_allowed"),
        ("movies.0.title", "null_characters_not_allowed"),
        ("movies.0.description", "null_characters_not_allowed"),
        ("movies.0.genres.1", "null_characters_not_allowed"),
    ]


# --- Caches


def test_repeated_document_is_checked_once(graphql, monkeypatch):
    validations = []
    check = DocumentChecks.check
    monkeypatch.setattr(DocumentChecks, "check", lambda self, *args: validations.append(1) or check(self, *args))
    query = "{ __typename a: __typename b: __typename }"

    answers = [graphql(query) for _ in range(3)]

    assert answers == [(200, {"data": {"__typename": "Query", "a": "Query", "b": "Query"}})] * 3
    assert len(validations) == 1
