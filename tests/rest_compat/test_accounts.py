import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def field_errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_register_answers_working_tokens(api_client):
    response = api_client.post("/register/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 201
    assert set(response.json()) == {"access_token", "refresh_token"}
    user = get_user_model().objects.get(username="alice")
    assert user.check_password(PASSWORD)
    assert AccessToken(response.json()["access_token"])["user_id"] == str(user.pk)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    assert api_client.get("/collections/").status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"username": "", "password": PASSWORD}, [("username", "blank")]),
        ({"username": "x" * 151, "password": PASSWORD}, [("username", "max_length")]),
        ({"username": "no spaces!", "password": PASSWORD}, [("username", "invalid")]),
        (
            {"username": "bob", "password": "123"},
            [
                ("password", "password_too_short"),
                ("password", "password_too_common"),
                ("password", "password_entirely_numeric"),
            ],
        ),
        ({"username": "bob"}, [("password", "required")]),
        ({"username": 7, "password": PASSWORD}, [("username", "invalid")]),
    ],
)
def test_register_rejects_bad_input(api_client, body, expected):
    response = api_client.post("/register/", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field_errors(response) == expected
    assert not get_user_model().objects.exists()


def test_password_errors_say_why(api_client):
    response = api_client.post("/register/", {"username": "bob", "password": "short"}, format="json")

    messages = [error["message"] for error in response.json()["errors"]]
    assert "This password is too short. It must contain at least 8 characters." in messages


def test_register_rejects_a_taken_username(api_client):
    UserFactory(username="alice")

    response = api_client.post("/register/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "username", "code": "unique", "message": "A user with that username already exists."}
    ]
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_registrations_of_one_username_make_one_user(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    racers = 8
    barrier = threading.Barrier(racers)
    statuses: list[int] = []

    def register() -> None:
        barrier.wait()
        try:
            response = APIClient().post("/register/", {"username": "racer", "password": PASSWORD}, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [400] * (racers - 1)
    assert get_user_model().objects.filter(username="racer").count() == 1


def test_token_answers_a_pair_for_valid_credentials(api_client):
    user = UserFactory(username="alice")

    response = api_client.post("/token/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "refresh_token"}
    assert AccessToken(response.json()["access_token"])["user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_token_refuses_bad_credentials(api_client, body):
    UserFactory(username="alice")

    response = api_client.post("/token", body, format="json")

    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"


def test_token_rejects_null_characters_as_bad_input(api_client):
    response = api_client.post("/token/", {"username": "ali\x00ce", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert field_errors(response) == [("username", "null_characters_not_allowed")]


def test_token_refuses_an_inactive_user(api_client):
    UserFactory(username="alice", is_active=False)

    response = api_client.post("/token/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 401


def test_refresh_answers_a_new_pair_and_the_token_it_used_no_longer_works(api_client, user):
    refresh = str(RefreshToken.for_user(user))

    response = api_client.post("/token/refresh/", {"refresh_token": refresh}, format="json")
    again = api_client.post("/token/refresh/", {"refresh_token": refresh}, format="json")

    assert response.status_code == 200
    assert list(response.json()) == ["access_token", "refresh_token"]
    assert AccessToken(response.json()["access_token"])["user_id"] == str(user.pk)
    assert RefreshToken(response.json()["refresh_token"])["user_id"] == str(user.pk)
    assert again.status_code == 401


def test_logout_revokes_the_refresh_token(api_client, user):
    tokens = api_client.post("/token/", {"username": user.username, "password": PASSWORD}, format="json").json()

    response = api_client.post("/logout/", {"refresh_token": tokens["refresh_token"]}, format="json")
    refresh = api_client.post("/token/refresh/", {"refresh_token": tokens["refresh_token"]}, format="json")
    twice = api_client.post("/logout", {"refresh_token": tokens["refresh_token"]}, format="json")

    assert (response.status_code, response.content) == (204, b"")
    assert refresh.status_code == 401
    assert twice.status_code == 401


def test_refresh_refuses_bad_expired_and_access_tokens(api_client, user):
    expired = RefreshToken.for_user(user)
    expired.set_exp(lifetime=-expired.lifetime)
    access = str(AccessToken.for_user(user))

    statuses = [
        api_client.post("/token/refresh", {"refresh_token": token}, format="json").status_code
        for token in ("garbage", str(expired), access)
    ]

    assert statuses == [401, 401, 401]


def test_refresh_refuses_the_token_of_a_deleted_user(api_client, user):
    refresh = str(RefreshToken.for_user(user))
    user.delete()

    response = api_client.post("/token/refresh/", {"refresh_token": refresh}, format="json")

    assert response.status_code == 401


def test_public_routes_ignore_a_bad_bearer_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    response = api_client.post("/register/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 201


def test_too_many_token_attempts_are_refused_with_retry_after(api_client, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 3
    UserFactory(username="alice")
    body = {"username": "alice", "password": "wrong-password"}

    statuses = [api_client.post("/token/", body, format="json").status_code for _ in range(3)]
    refused = api_client.post("/token/", {"username": "alice", "password": PASSWORD}, format="json")

    assert statuses == [401, 401, 401]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["title"] == "Too Many Requests"


def test_the_attempt_bound_is_shared_by_both_faces(api_client, graphql, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 2
    api_client.post("/register/", {"username": "alice", "password": PASSWORD}, format="json")
    api_client.post("/token/", {"username": "alice", "password": PASSWORD}, format="json")

    _, body = graphql('mutation { obtainToken(username: "alice", password: "x") { accessToken } }')

    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["extensions"]["retryAfter"] >= 1


def test_behind_a_proxy_each_forwarded_client_has_its_own_bound(api_client, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    body = {"username": "nobody", "password": "wrong-password"}

    first = api_client.post("/token/", body, format="json", HTTP_X_FORWARDED_FOR="203.0.113.1")
    again = api_client.post("/token/", body, format="json", HTTP_X_FORWARDED_FOR="203.0.113.1")
    other = api_client.post("/token/", body, format="json", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.2")

    assert [first.status_code, again.status_code, other.status_code] == [401, 429, 401]


def test_refreshing_is_not_throttled(api_client, user, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 1
    refresh = str(RefreshToken.for_user(user))

    statuses = []
    for _ in range(3):
        response = api_client.post("/token/refresh/", {"refresh_token": refresh}, format="json")
        statuses.append(response.status_code)
        refresh = response.json().get("refresh_token", refresh)

    assert statuses == [200, 200, 200]
