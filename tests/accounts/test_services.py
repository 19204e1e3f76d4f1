"""Registration and tokens, called as the API layer calls them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.services import InvalidCredentials, tokens_obtain, tokens_refresh, tokens_revoke, user_register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_register_stores_a_hashed_password():
    user = user_register(username="alice", password=PASSWORD)

    stored = get_user_model().objects.get(username="alice")
    assert stored == user
    assert stored.password != PASSWORD
    assert stored.check_password(PASSWORD)


def test_register_refuses_a_taken_username():
    UserFactory(username="alice")

    with pytest.raises(ValidationError) as error:
        user_register(username="alice", password=PASSWORD)

    assert error_codes(error.value) == {"username": ["unique"]}
    assert get_user_model().objects.count() == 1


def test_register_reports_every_problem_at_once_and_creates_nothing():
    with pytest.raises(ValidationError) as error:
        user_register(username="no spaces!", password="123")

    assert error_codes(error.value) == {
        "username": ["invalid"],
        "password": ["password_too_short", "password_too_common", "password_entirely_numeric"],
    }
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("bad\ud800", PASSWORD, {"username": ["invalid"]}),
        ("alice", "bad\udfff" + PASSWORD, {"password": ["invalid"]}),
        ("alice", "x" * 4097, {"password": ["max_length"]}),
    ],
    ids=["surrogate-username", "surrogate-password", "long-password"],
)
def test_register_refuses_text_it_cannot_store_or_hash_cheaply(username, password, expected):
    with pytest.raises(ValidationError) as error:
        user_register(username=username, password=password)

    assert error_codes(error.value) == expected


def test_obtain_answers_tokens_of_the_user():
    user = UserFactory(username="alice")

    tokens = tokens_obtain(username="alice", password=PASSWORD)

    assert AccessToken(tokens.access_token)["user_id"] == str(user.pk)
    assert RefreshToken(tokens.refresh_token)["user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong-password"), ("nobody", PASSWORD), ("alice\x00", PASSWORD), ("alice", "x" * 4097)],
    ids=["wrong-password", "unknown-user", "nul", "long-password"],
)
def test_obtain_refuses_bad_credentials(username, password):
    UserFactory(username="alice")

    with pytest.raises(InvalidCredentials):
        tokens_obtain(username=username, password=password)


def test_obtain_refuses_an_inactive_user():
    UserFactory(username="alice", is_active=False)

    with pytest.raises(InvalidCredentials):
        tokens_obtain(username="alice", password=PASSWORD)


def test_refresh_answers_a_new_pair_of_the_same_user_and_revokes_the_token_it_used(user):
    used = str(RefreshToken.for_user(user))

    tokens = tokens_refresh(refresh_token=used)

    assert AccessToken(tokens.access_token)["user_id"] == str(user.pk)
    assert RefreshToken(tokens.refresh_token)["user_id"] == str(user.pk)
    assert tokens.refresh_token != used
    with pytest.raises(InvalidCredentials):
        tokens_refresh(refresh_token=used)  # a rotated token works once
    assert tokens_refresh(refresh_token=tokens.refresh_token).refresh_token


def test_a_revoked_refresh_token_no_longer_works(user):
    refresh = tokens_obtain(username=user.username, password=PASSWORD).refresh_token

    tokens_revoke(refresh_token=refresh)

    with pytest.raises(InvalidCredentials):
        tokens_refresh(refresh_token=refresh)
    with pytest.raises(InvalidCredentials):
        tokens_revoke(refresh_token=refresh)


@pytest.mark.parametrize("change", ["delete", "deactivate"])
def test_refresh_refuses_the_token_of_a_user_that_is_gone(user, change):
    refresh = str(RefreshToken.for_user(user))
    if change == "delete":
        user.delete()
    else:
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(InvalidCredentials):
        tokens_refresh(refresh_token=refresh)


@pytest.mark.parametrize("token", ["garbage", "access"])
def test_refresh_refuses_what_is_not_a_refresh_token(user, token):
    value = str(AccessToken.for_user(user)) if token == "access" else token

    with pytest.raises(InvalidCredentials):
        tokens_refresh(refresh_token=value)
