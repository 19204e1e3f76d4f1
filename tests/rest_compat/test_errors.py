"""Cross-cutting HTTP behaviour of the REST face: every error is a problem document.

Unknown routes, wrong methods, bad bodies, bad tokens and unexpected failures
all answer `application/problem+json` with the exact RFC 9457 shape, never
HTML and never a traceback, whether DEBUG is on or off.
"""

import json
import logging
import sqlite3
import tempfile
import uuid
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.services import tokens_for_user
from movie_collections import selectors, services
from rest_compat import views as rest_views
from tests.factories import CollectionFactory, MovieDataFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
BEARER_CHALLENGE = 'Bearer realm="api"'
NO_CREDENTIALS = "Authentication credentials were not provided or are invalid."
INVALID_TOKEN = "The access token is invalid or expired."
NULL_CHARACTERS = {"code": "null_characters_not_allowed", "message": "Null characters are not allowed."}
PASSWORD = "correct-horse-battery-staple"


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None) -> dict:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def assert_problem(response, status: int, title: str, detail: str, errors: list[dict] | None = None) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content) == problem(status, title, detail, errors)


def not_valid(*errors: dict) -> dict:
    return problem(400, "Bad Request", "The request is not valid.", list(errors))


def post_raw(client, path: str, body: str | bytes, content_type: str = "application/json"):
    return client.generic("POST", path, body, content_type=content_type)


def expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=aware_utcnow() - timedelta(hours=2), lifetime=timedelta(hours=1))
    return str(token)


@pytest.fixture
def collection(user):
    return CollectionFactory(owner=user, title="Mine", description="Kept", movies=[])


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


# --- Unknown routes: 404, never HTML


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/nope", "/nope/", "/collections/a/b/", "/register/extra", "/"])
def test_unknown_route_is_a_not_found_problem(api_client, debug, method, path):
    response = api_client.generic(method, path, "{}", content_type="application/json")

    assert_problem(response, 404, "Not Found", "No such resource.")


def test_unknown_route_is_a_not_found_problem_for_an_authenticated_client(auth_client):
    response = auth_client.get("/collections/extra/path/")

    assert_problem(response, 404, "Not Found", "No such resource.")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("bad_uuid", ["not-a-uuid", "1234", "0" * 31, "0" * 33, "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"])
def test_malformed_collection_uuid_is_not_found_as_an_unknown_one_is(auth_client, debug, method, bad_uuid):
    response = auth_client.generic(method, f"/collections/{bad_uuid}/", "{}", content_type="application/json")
    unknown = auth_client.generic(method, f"/collections/{uuid.uuid4()}/", "{}", content_type="application/json")

    assert_problem(response, 404, "Not Found", "No such collection.")
    assert response.json() == unknown.json()


@pytest.mark.parametrize(("method", "path"), [("GET", "/collections/not-a-uuid/"), ("GET", "/movies/?page=0")])
def test_the_caller_is_authenticated_before_the_request_is_read(api_client, method, path):
    response = api_client.generic(method, path)

    assert_problem(response, 401, "Unauthorized", NO_CREDENTIALS)


# --- Wrong methods: 405 with Allow


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/register/", "POST, OPTIONS"),
        ("GET", "/register", "POST, OPTIONS"),
        ("PUT", "/token/", "POST, OPTIONS"),
        ("DELETE", "/token/refresh", "POST, OPTIONS"),
        ("DELETE", "/collections/", "GET, POST, HEAD, OPTIONS"),
        ("PUT", "/collections", "GET, POST, HEAD, OPTIONS"),
        ("POST", f"/collections/{uuid.UUID(int=1)}/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
    ],
)
def test_wrong_method_is_a_method_not_allowed_problem_with_allow(auth_client, debug, method, path, allow):
    response = auth_client.generic(method, path, "{}", content_type="application/json")

    assert_problem(response, 405, "Method Not Allowed", f'Method "{method}" not allowed.')
    assert response["Allow"] == allow


# --- Request bodies: JSON objects only, bounded


@pytest.mark.parametrize("body", ['{"username": ', "{bad", "{'single': 'quotes'}", '{"a": 1} trailing', "NaN-ish", ""])
def test_malformed_json_is_a_bad_request(api_client, debug, body):
    response = post_raw(api_client, "/register/", body or " ")

    assert_problem(response, 400, "Bad Request", "The request body is not valid JSON.")


def test_malformed_json_on_an_authenticated_route_is_a_bad_request(auth_client):
    response = post_raw(auth_client, "/collections/", '{"title": "x",')

    assert_problem(response, 400, "Bad Request", "The request body is not valid JSON.")


def test_body_that_is_not_utf8_is_a_bad_request(api_client):
    response = post_raw(api_client, "/register/", b'{"username": "\xff\xfe"}')

    assert_problem(response, 400, "Bad Request", "The request body is not valid JSON.")


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a": ' * 100_000, "[" * 100_000 + "]" * 100_000])
def test_deeply_nested_json_is_a_bad_request_not_a_server_error(api_client, body):
    response = post_raw(api_client, "/register/", body)

    assert_problem(response, 400, "Bad Request", "The request body is nested too deeply.")


def test_deeply_nested_json_in_a_collection_is_a_bad_request(auth_client):
    body = '{"title": "x", "movies": ' + "[" * 100_000

    response = post_raw(auth_client, "/collections/", body)

    assert_problem(response, 400, "Bad Request", "The request body is nested too deeply.")


@pytest.mark.parametrize(
    ("body", "type_name"), [("[1, 2]", "list"), ('"text"', "str"), ("5", "int"), ("1.5", "float"), ("true", "bool")]
)
def test_body_that_is_not_an_object_is_a_bad_request_with_errors(api_client, body, type_name):
    response = post_raw(api_client, "/register/", body)

    message = f"Invalid data. Expected a dictionary, but got {type_name}."
    assert_problem(
        response,
        400,
        "Bad Request",
        "The request is not valid.",
        [{"field": "", "code": "invalid", "message": message}],
    )


def test_null_body_is_a_bad_request_with_errors(api_client):
    response = post_raw(api_client, "/token/", "null")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == not_valid({"field": "", "code": "null", "message": "No data provided"})


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_collection_body_that_is_a_list_is_a_bad_request(auth_client, collection, method):
    path = "/collections/" if method == "POST" else f"/collections/{collection.uuid}/"

    response = auth_client.generic(method, path, "[]", content_type="application/json")

    message = "Invalid data. Expected a dictionary, but got list."
    assert_problem(
        response,
        400,
        "Bad Request",
        "The request is not valid.",
        [{"field": "", "code": "invalid", "message": message}],
    )


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "username=a&password=b"),
        ("text/plain", '{"username": "a", "password": "b"}'),
        ("application/xml", "<username>a</username>"),
        (MULTIPART_CONTENT, encode_multipart(BOUNDARY, {"username": "a", "password": "b"})),
    ],
    ids=["form", "text", "xml", "multipart"],
)
def test_body_that_is_not_json_is_an_unsupported_media_type(api_client, debug, content_type, body):
    response = post_raw(api_client, "/register/", body, content_type=content_type)

    detail = f'Unsupported media type "{content_type}" in request.'
    assert_problem(response, 415, "Unsupported Media Type", detail)


def test_form_data_on_an_authenticated_route_is_an_unsupported_media_type(auth_client, collection):
    response = auth_client.put(f"/collections/{collection.uuid}/", "title=x", content_type="text/plain")

    assert_problem(response, 415, "Unsupported Media Type", 'Unsupported media type "text/plain" in request.')


def test_json_with_a_charset_is_accepted(api_client):
    body = json.dumps({"username": "charset-user", "password": PASSWORD})

    response = post_raw(api_client, "/register/", body, content_type="application/json; charset=utf-8")

    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/register/", "/collections/"])
def test_oversized_body_is_a_payload_too_large_problem(auth_client, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    body = json.dumps({"username": "u" * 100, "password": "p", "title": "t" * 100})

    response = post_raw(auth_client, path, body)

    assert_problem(response, 413, "Request Entity Too Large", "The request body is too large.")


def test_body_at_the_size_limit_is_read(api_client, settings):
    body = json.dumps({"username": "size-limit", "password": PASSWORD})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)

    response = post_raw(api_client, "/register/", body)

    assert response.status_code == 201


# --- Authentication: 401 with a Bearer challenge


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/collections/"),
        ("POST", "/collections/"),
        ("GET", "/collections/{uuid}/"),
        ("PUT", "/collections/{uuid}/"),
        ("PATCH", "/collections/{uuid}/"),
        ("DELETE", "/collections/{uuid}/"),
    ],
)
def test_missing_token_is_unauthorized(api_client, collection, method, path):
    path = path.format(uuid=collection.uuid)

    response = api_client.generic(method, path, '{"title": "Taken"}', content_type="application/json")

    assert_problem(response, 401, "Unauthorized", NO_CREDENTIALS)
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE
    collection.refresh_from_db()
    assert collection.title == "Mine"


def test_expired_token_is_unauthorized(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired_token(user)}")

    response = api_client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", INVALID_TOKEN)
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


@pytest.mark.parametrize(
    "token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "", "x" * 5000], ids=str.__len__
)
def test_invalid_token_is_unauthorized(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get("/collections/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE
    assert response.json()["title"] == "Unauthorized"
    assert "ErrorDetail" not in response.json()["detail"]


def test_token_signed_with_another_key_is_unauthorized(api_client, user, settings):
    token = AccessToken.for_user(user)
    forged = str(token).rsplit(".", 1)[0] + ".c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    response = api_client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", INVALID_TOKEN)


def test_refresh_token_used_as_access_token_is_unauthorized(api_client, user):
    refresh_token = tokens_for_user(user=user).refresh_token
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_token}")

    response = api_client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", INVALID_TOKEN)


def test_token_of_a_deleted_user_is_unauthorized(auth_client, user):
    user.delete()

    response = auth_client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", INVALID_TOKEN)
    assert response["WWW-Authenticate"] == BEARER_CHALLENGE


def test_session_cookie_alone_does_not_authenticate(user):
    client = Client()
    client.force_login(user)

    response = client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", NO_CREDENTIALS)


def test_bearer_request_needs_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = tokens_for_user(user=user).access_token

    response = client.post(
        "/collections/", {"title": "No CSRF"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 201


def test_public_route_needs_no_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/register/", {"username": "csrf-free", "password": PASSWORD}, content_type="application/json"
    )

    assert response.status_code == 201


# --- Unexpected failures: 500 problem, no traceback


def explode(**kwargs):
    raise RuntimeError("secret internals: /etc/passwd")


def assert_server_error_without_internals(response) -> None:
    assert_problem(response, 500, "Internal Server Error", "An unexpected error occurred.")
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_failure_inside_a_resolver_is_a_server_error_problem(auth_client, debug, monkeypatch, caplog):
    monkeypatch.setattr(selectors, "collection_list", explode)

    with caplog.at_level(logging.ERROR):
        response = auth_client.get("/collections/")

    assert_server_error_without_internals(response)
    assert any("secret internals" in str(record.exc_info and record.exc_info[1]) for record in caplog.records)


def test_failure_inside_a_view_is_a_server_error_problem(auth_client, debug, monkeypatch, caplog):
    monkeypatch.setattr(rest_views, "execute_operation", lambda *args, **kwargs: explode())

    with caplog.at_level(logging.ERROR):
        response = auth_client.get("/collections/")

    assert_server_error_without_internals(response)
    assert any("secret internals" in str(record.exc_info and record.exc_info[1]) for record in caplog.records)


def test_failure_inside_a_public_view_is_a_server_error_problem(api_client, debug, monkeypatch):
    monkeypatch.setattr(rest_views, "execute_operation", lambda *args, **kwargs: explode())

    response = api_client.post("/register/", {"username": "boom", "password": PASSWORD}, format="json")

    assert_server_error_without_internals(response)


# --- Paths with and without their trailing slash, no redirects


def rest_calls(collection_uuid: uuid.UUID, refresh_token: str) -> list[tuple[str, str, dict | None, int]]:
    detail = f"collections/{collection_uuid}"
    return [
        ("POST", "register", {"username": "slash-user", "password": PASSWORD}, 201),
        ("POST", "token", {"username": "owner", "password": PASSWORD}, 200),
        ("POST", "token/refresh", {"refresh_token": refresh_token}, 200),
        ("GET", "collections", None, 200),
        ("POST", "collections", {"title": "New"}, 201),
        ("GET", detail, None, 200),
        ("PUT", detail, {"title": "Renamed"}, 200),
        ("PATCH", detail, {"description": "Changed"}, 200),
        ("DELETE", detail, None, 204),
        ("GET", "health", None, 200),
    ]


@pytest.mark.parametrize("slash", ["/", ""], ids=["with-slash", "without-slash"])
@pytest.mark.parametrize("index", range(10))
def test_each_route_works_with_and_without_its_trailing_slash(index, slash):
    owner = UserFactory(username="owner")
    collection = CollectionFactory(owner=owner)
    tokens = tokens_for_user(user=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access_token}")
    method, path, body, status = rest_calls(collection.uuid, tokens.refresh_token)[index]

    response = client.generic(method, f"/{path}{slash}", json.dumps(body or {}), content_type="application/json")

    assert response.status_code == status
    assert not response.has_header("Location")


# --- PUT and PATCH


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_both_update_a_collection(auth_client, method):
    movie = MovieDataFactory(genres="Drama,Comedy")
    collection_uuid = auth_client.post(
        "/collections/", {"title": "Old", "description": "Kept", "movies": [movie]}, format="json"
    ).json()["collection_uuid"]

    response = auth_client.generic(
        method, f"/collections/{collection_uuid}/", json.dumps({"title": "New"}), content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"uuid": collection_uuid, "title": "New", "description": "Kept", "movies": [movie]}


# --- NUL characters: refused as invalid input, never a database error


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"username": "nul\x00user", "password": PASSWORD}, ["username"]),
        ({"username": "nul-password", "password": "correct\x00horse-battery"}, ["password"]),
        ({"username": "\x00", "password": "\x00"}, ["username", "password"]),
    ],
)
def test_null_characters_in_registration_are_a_bad_request(api_client, body, fields):
    response = api_client.post("/register/", body, format="json")

    assert_problem(
        response,
        400,
        "Bad Request",
        "The request is not valid.",
        [{"field": field, **NULL_CHARACTERS} for field in fields],
    )


@pytest.mark.parametrize("path", ["/token/", "/token"])
def test_null_characters_in_credentials_are_a_bad_request(api_client, user, path):
    response = api_client.post(path, {"username": f"{user.username}\x00", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"] == [{"field": "username", **NULL_CHARACTERS}]


def test_null_characters_in_a_refresh_token_are_a_bad_request(api_client):
    response = api_client.post("/token/refresh/", {"refresh_token": "abc\x00def"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "refresh_token", **NULL_CHARACTERS}]


def test_null_characters_in_a_new_collection_are_a_bad_request(auth_client):
    movie = {"uuid": str(uuid.uuid4()), "title": "T\x00", "description": "D\x00", "genres": "Drama,\x00"}

    response = auth_client.post(
        "/collections/", {"title": "Title\x00", "description": "\x00", "movies": [movie]}, format="json"
    )

    assert_problem(
        response,
        400,
        "Bad Request",
        "The request is not valid.",
        [
            {"field": field, **NULL_CHARACTERS}
            for field in ["title", "description", "movies.0.title", "movies.0.description", "movies.0.genres"]
        ],
    )


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_null_characters_in_an_update_are_a_bad_request(auth_client, collection, method):
    body = json.dumps({"title": "\x00Renamed"})

    response = auth_client.generic(method, f"/collections/{collection.uuid}/", body, content_type="application/json")

    assert_problem(response, 400, "Bad Request", "The request is not valid.", [{"field": "title", **NULL_CHARACTERS}])
    collection.refresh_from_db()
    assert collection.title == "Mine"


def test_a_body_of_another_media_type_is_refused_even_where_no_body_is_read(auth_client):
    response = auth_client.post("/request-count/reset/", "reset", content_type="text/plain")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


# --- Credentials: any case of the Bearer scheme; one message for every bad credential


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_the_bearer_scheme_is_matched_in_any_case(api_client, user, scheme):
    api_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {tokens_for_user(user=user).access_token}")

    response = api_client.get("/collections/")

    assert response.status_code == 200


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer a b"])
def test_credentials_of_another_scheme_are_unauthorized(api_client, authorization):
    api_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = api_client.get("/collections/")

    assert_problem(response, 401, "Unauthorized", INVALID_TOKEN)


def test_a_title_with_nothing_visible_is_blank(auth_client):
    response = auth_client.post("/collections/", {"title": "\u200b\u200b"}, format="json")

    assert_problem(
        response,
        400,
        "Bad Request",
        "The request is not valid.",
        [{"field": "title", "code": "blank", "message": "This field may not be blank."}],
    )


# --- A busy database: 503 with Retry-After, never a 500


def sqlite_busy_error() -> OperationalError:
    """A real "database is locked" of SQLite, wrapped as Django wraps it."""
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/busy.sqlite3"
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            waiter.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as cause:
            error = OperationalError(str(cause))
            error.__cause__ = cause
            return error
        finally:
            waiter.close()
            holder.close()
    raise AssertionError("the second writer got the lock")


def test_a_write_that_cannot_get_the_database_lock_is_unavailable_with_retry_after(auth_client, monkeypatch):
    busy = sqlite_busy_error()

    def locked(**kwargs):
        raise busy

    monkeypatch.setattr(services, "collection_create", locked)

    response = auth_client.post("/collections/", {"title": "T"}, format="json")

    assert_problem(response, 503, "Service Unavailable", "The database is busy; retry in a moment.")
    assert response["Retry-After"] == "1"


def test_a_busy_database_outside_graphql_is_unavailable_too(auth_client, monkeypatch):
    busy = sqlite_busy_error()

    def locked(*args, **kwargs):
        raise busy

    monkeypatch.setattr(rest_views, "execute_operation", locked)

    response = auth_client.get("/collections/")

    assert_problem(response, 503, "Service Unavailable", "The database is busy; retry in a moment.")
    assert response["Retry-After"] == "1"


# --- HEAD: the headers of GET, no body


@pytest.mark.parametrize("path", ["/collections/", "/health/", "/no-such-page/"])
def test_head_answers_the_headers_of_get_without_a_body(auth_client, path):
    get = auth_client.get(path)
    head = auth_client.head(path)

    assert head.status_code == get.status_code
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
