import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken

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
