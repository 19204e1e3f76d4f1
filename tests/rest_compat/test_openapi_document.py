"""The OpenAPI document at /api/schema/ says what the server does: one test per mismatch schemathesis found.

Constraint tests send each sample to the server too: the document accepts
a value exactly when the server does.
"""

import re
import uuid
from typing import Any

import pytest

from backend.problems import PROBLEM_CONTENT_TYPE
from movie_collections.models import Collection

pytestmark = pytest.mark.django_db

PROBLEM = {"$ref": "#/components/schemas/Problem"}
BODY_OPERATIONS = [
    ("/collections/", "post"),
    ("/collections/{collection_uuid}/", "put"),
    ("/collections/{collection_uuid}/", "patch"),
    ("/register/", "post"),
    ("/token/", "post"),
    ("/token/refresh/", "post"),
    ("/logout/", "post"),
    ("/request-count/reset/", "post"),
]
BLANK_TITLES = ["", " ", "\t\n", "\u200b", "\u00a0\u3000", "\ufeff "]
VISIBLE_TITLES = ["x", "  Heat  ", "\u200bHeat", "\U0001f3ac"]


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in document["paths"].items() for method, operation in item.items()]


def request_schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def accepts(schema: dict[str, Any], value: str) -> bool:
    """Whether a string `value` satisfies the string keywords of `schema` (as JSON Schema reads them)."""
    return (
        schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
        and re.search(schema.get("pattern", ""), value) is not None
    )


def test_every_error_of_every_operation_is_a_problem_document(document):
    errors = {
        (path, method, status): response["content"]
        for path, method, operation in operations(document)
        for status, response in operation["responses"].items()
        if int(status) >= 400
    }

    assert len(errors) > 50
    assert {
        key: content for key, content in errors.items() if content != {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM}}
    } == {}


def test_successful_bodies_keep_their_json_media_type(document):
    successes = {
        (path, method): list(response.get("content", {}))
        for path, method, operation in operations(document)
        for status, response in operation["responses"].items()
        if int(status) < 300
    }

    assert set(map(tuple, successes.values())) == {("application/json",), ()}


def test_the_problem_schema_is_what_the_server_sends(document):
    problem = request_schema(document, "Problem")

    assert set(problem["properties"]) == {"type", "title", "status", "detail", "errors"}
    assert problem["required"] == ["detail", "status", "title"]
    assert set(request_schema(document, "FieldError")["properties"]) == {"field", "code", "message"}


@pytest.mark.parametrize("path", ["/token/", "/token/refresh/", "/logout/"])
def test_token_endpoints_document_401(document, path):
    response = document["paths"][path]["post"]["responses"]["401"]

    assert response["content"] == {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM}}
    assert response["headers"]["WWW-Authenticate"]["required"] is True


def test_bad_credentials_answer_the_documented_401(client, document):
    response = client.post("/token/", {"username": "nobody", "password": "wrong-password"}, "application/json")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert "WWW-Authenticate" in response


@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS)
def test_body_operations_document_413_and_415(document, path, method):
    responses = document["paths"][path][method]["responses"]

    assert {"400", "413", "415"} <= set(responses)


def test_405_is_documented_for_every_path_and_answered_with_allow(auth_client, document):
    documented = document["components"]["responses"]["MethodNotAllowed"]

    response = auth_client.delete("/movies/")

    assert documented["content"] == {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM}}
    assert documented["headers"]["Allow"]["required"] is True
    assert "405" in document["info"]["description"]
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_every_operation_documents_429_with_retry_after(document):
    missing = [
        (path, method)
        for path, method, operation in operations(document)
        if operation["responses"].get("429", {}).get("headers", {}).get("Retry-After", {}).get("required") is not True
    ]

    assert missing == []


def test_page_is_documented_from_1(document):
    (page,) = document["paths"]["/movies/"]["get"]["parameters"]

    assert page["name"] == "page"
    assert page["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1}


@pytest.mark.parametrize("page", ["0", "-1"])
def test_a_page_below_the_documented_minimum_is_refused(auth_client, page):
    assert auth_client.get("/movies/", {"page": page}).status_code == 400


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("CollectionCreateRequest", "title"),
        ("PatchedCollectionUpdateRequest", "title"),
        ("CollectionUpdateRequest", "title"),
        ("MovieRequest", "title"),
    ],
)
def test_blank_titles_are_refused_by_the_document(document, component, field):
    schema = request_schema(document, component)["properties"][field]

    assert [title for title in BLANK_TITLES if accepts(schema, title)] == []
    assert [title for title in VISIBLE_TITLES if not accepts(schema, title)] == []


@pytest.mark.parametrize("title", BLANK_TITLES + VISIBLE_TITLES + ["x" * 255, "x" * 256, "a\x00b"])
def test_the_server_takes_a_collection_title_exactly_when_the_document_does(auth_client, document, title):
    schema = request_schema(document, "CollectionCreateRequest")["properties"]["title"]

    response = auth_client.post("/collections/", {"title": title}, format="json")

    assert response.status_code == (201 if accepts(schema, title) else 400)


@pytest.mark.parametrize("title", BLANK_TITLES + VISIBLE_TITLES)
def test_the_server_takes_a_movie_title_exactly_when_the_document_does(auth_client, document, title):
    schema = request_schema(document, "MovieRequest")["properties"]["title"]
    movie = {"uuid": str(uuid.uuid4()), "title": title}

    response = auth_client.post("/collections/", {"title": "Weekend", "movies": [movie]}, format="json")

    assert response.status_code == (201 if accepts(schema, title) else 400)


@pytest.mark.parametrize(
    "genres", ["", "Drama,Comedy", " Drama , ,Comedy ", "x" * 100, f" {'x' * 100} ", "x" * 101, "a\x00", ",,"]
)
def test_the_server_takes_genres_exactly_when_the_document_does(auth_client, document, genres):
    schema = request_schema(document, "MovieRequest")["properties"]["genres"]
    movie = {"uuid": str(uuid.uuid4()), "title": "Heat", "genres": genres}

    response = auth_client.post("/collections/", {"title": "Weekend", "movies": [movie]}, format="json")

    assert response.status_code == (201 if accepts(schema, genres) else 400)


def test_movies_per_collection_are_bounded_in_the_document(document, settings):
    movies = request_schema(document, "CollectionCreateRequest")["properties"]["movies"]

    assert movies["maxItems"] == settings.MOVIES_PER_COLLECTION_LIMIT


@pytest.mark.parametrize(
    "username", ["", " ", "\u200b", "a b", "a!", "alice", "al.ice+1@x-y_z", "Zoë", "\uff41\uff4c\uff49\uff43\uff45"]
)
def test_the_server_takes_a_username_exactly_when_the_document_does(api_client, document, username):
    schema = request_schema(document, "RegistrationRequest")["properties"]["username"]

    response = api_client.post("/register/", {"username": username, "password": "a-long-passphrase"}, format="json")

    assert response.status_code == (201 if accepts(schema, username) else 400)


@pytest.mark.parametrize(
    "password", ["", "short", "7chars!", "12345678", "\u0661" * 8, "8chars!!", "a-long-passphrase"]
)
def test_the_server_takes_a_password_exactly_when_the_document_does(api_client, document, password):
    schema = request_schema(document, "RegistrationRequest")["properties"]["password"]

    response = api_client.post("/register/", {"username": "alice", "password": password}, format="json")

    assert schema["minLength"] == 8
    assert response.status_code == (201 if accepts(schema, password) else 400)


def test_the_token_endpoint_documents_no_registration_rules(document):
    credentials = request_schema(document, "CredentialsRequest")["properties"]

    assert credentials == {"username": {"type": "string"}, "password": {"type": "string"}}


def test_collection_paths_take_a_uuid(document):
    for method in ("get", "put", "patch", "delete"):
        parameters = document["paths"]["/collections/{collection_uuid}/"][method]["parameters"]
        (path_parameter,) = [p for p in parameters if p["in"] == "path"]
        assert path_parameter["schema"] == {"type": "string", "format": "uuid"}


def test_conditional_requests_are_documented(document):
    item = document["paths"]["/collections/{collection_uuid}/"]
    headers = {method: {p["name"] for p in item[method]["parameters"] if p["in"] == "header"} for method in item}

    assert headers == {"get": {"If-None-Match"}, "put": {"If-Match"}, "patch": {"If-Match"}, "delete": {"If-Match"}}
    assert set(item["get"]["responses"]["200"]["headers"]) == {"ETag"}
    assert set(item["get"]["responses"]["304"]["headers"]) == {"ETag"}
    assert "content" not in item["get"]["responses"]["304"]
    assert [method for method in ("put", "patch", "delete") if "412" not in item[method]["responses"]] == []


def test_the_documented_etag_pattern_matches_what_the_server_sends(auth_client, user, document):
    pattern = document["paths"]["/collections/{collection_uuid}/"]["get"]["responses"]["200"]["headers"]["ETag"]
    collection = Collection.objects.create(owner=user, title="Weekend")

    response = auth_client.get(f"/collections/{collection.uuid}/")

    assert re.fullmatch(pattern["schema"]["pattern"].strip("^$"), response["ETag"])
