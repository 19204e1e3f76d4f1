import json
import logging

import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import tokens_for_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
REGISTER = "mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { accessToken refreshToken } }"
OBTAIN = "mutation ($u: String!, $p: String!) { obtainToken(username: $u, password: $p) { accessToken refreshToken } }"
REFRESH = "mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


def test_register_obtain_and_refresh_without_a_token(graphql):
    _, registered = graphql(REGISTER, {"u": "alice", "p": PASSWORD})
    _, obtained = graphql(OBTAIN, {"u": "alice", "p": PASSWORD})
    _, refreshed = graphql(REFRESH, {"t": obtained["data"]["obtainToken"]["refreshToken"]})

    user_id = str(get_user_model().objects.get(username="alice").pk)
    tokens = [
        registered["data"]["register"]["accessToken"],
        obtained["data"]["obtainToken"]["accessToken"],
        refreshed["data"]["refreshToken"]["accessToken"],
    ]
    assert [AccessToken(token)["user_id"] for token in tokens] == [user_id] * 3


def test_register_refuses_a_taken_username(graphql):
    UserFactory(username="alice")

    _, body = graphql(REGISTER, {"u": "alice", "p": PASSWORD})

    assert body["data"] is None
    assert body["errors"][0]["message"] == "A user with that username already exists."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "username"


def test_obtain_token_refuses_bad_credentials(graphql):
    UserFactory(username="alice")

    _, body = graphql(OBTAIN, {"u": "alice", "p": "wrong"})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_refresh_token_refuses_garbage(graphql):
    _, body = graphql(REFRESH, {"t": "garbage"})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_refresh_token_with_a_lone_surrogate_is_unauthenticated_and_logs_nothing(api_client, caplog):
    body = json.dumps({"query": REFRESH, "variables": {"t": "bad\ud800token"}})  # JSON escapes it: \\ud800

    with caplog.at_level(logging.WARNING):
        response = api_client.generic("POST", "/graphql/", body, content_type="application/json")

    assert response.status_code == 200
    assert [error["extensions"]["code"] for error in response.json()["errors"]] == ["UNAUTHENTICATED"]
    assert caplog.records == []


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_the_bearer_scheme_is_matched_in_any_case(api_client, user, scheme):
    token = tokens_for_user(user=user).access_token

    response = api_client.post(
        "/graphql/", {"query": "{ me { username } }"}, format="json", HTTP_AUTHORIZATION=f"{scheme} {token}"
    )

    assert response.json()["data"] == {"me": {"username": user.username}}


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer a b"])
def test_credentials_of_another_scheme_are_refused_as_rest_refuses_them(api_client, authorization):
    response = api_client.post(
        "/graphql/", {"query": "{ __typename }"}, format="json", HTTP_AUTHORIZATION=authorization
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["errors"] == [
        {"message": "The access token is invalid or expired.", "extensions": {"code": "UNAUTHENTICATED"}}
    ]


def test_usernames_are_one_name_in_their_nfkc_form(graphql):
    fullwidth = "\uff41\uff4c\uff49\uff43\uff45"  # "alice" in fullwidth letters
    graphql(REGISTER, {"u": fullwidth, "p": PASSWORD})

    _, taken = graphql(REGISTER, {"u": "alice", "p": PASSWORD})
    _, obtained = graphql(OBTAIN, {"u": "alice", "p": PASSWORD})

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["alice"]
    assert taken["errors"][0]["extensions"]["errors"] == [
        {"field": "username", "code": "unique", "message": "A user with that username already exists."}
    ]
    assert "errors" not in obtained


LOGOUT = "mutation ($t: String!) { logout(refreshToken: $t) }"
REFRESH_PAIR = "mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"


def test_refresh_rotates_the_refresh_token(graphql, user):
    _, obtained = graphql(OBTAIN, {"u": user.username, "p": PASSWORD})
    first = obtained["data"]["obtainToken"]["refreshToken"]

    _, rotated = graphql(REFRESH_PAIR, {"t": first})
    _, reused = graphql(REFRESH_PAIR, {"t": first})
    _, next_one = graphql(REFRESH_PAIR, {"t": rotated["data"]["refreshToken"]["refreshToken"]})

    assert rotated["data"]["refreshToken"]["refreshToken"] != first
    assert [error["extensions"]["code"] for error in reused["errors"]] == ["UNAUTHENTICATED"]
    assert "errors" not in next_one


def test_logout_needs_no_access_token_and_revokes_the_refresh_token(graphql, user):
    _, obtained = graphql(OBTAIN, {"u": user.username, "p": PASSWORD})
    refresh = obtained["data"]["obtainToken"]["refreshToken"]

    _, logged_out = graphql(LOGOUT, {"t": refresh})
    _, refused = graphql(REFRESH_PAIR, {"t": refresh})

    assert logged_out == {"data": {"logout": True}}
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["UNAUTHENTICATED"]
