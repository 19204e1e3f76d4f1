"""Registration and JWTs."""

from dataclasses import dataclass

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from backend.text import is_unicode_text

# Hashing is the costly part of a login: an upper bound keeps it bounded.
PASSWORD_MAX_LENGTH = 4096
USERNAME_TAKEN = "A user with that username already exists."


class InvalidCredentials(Exception):
    """Wrong username or password, or a bad or expired refresh token."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str


def user_register(*, username: str, password: str) -> AbstractBaseUser:
    """Create a user; a taken username is a `ValidationError`, even under a race.

    The username is stored in its NFKC form (as Django's forms do), so names
    that only differ in such details (fullwidth letters and plain ones) are one name.
    """
    user_model = get_user_model()
    username = user_model.normalize_username(username)
    user = user_model(username=username)
    errors: dict[str, list[ValidationError]] = {}
    try:
        user_model._meta.get_field("username").clean(username, user)
    except ValidationError as error:
        errors["username"] = error.error_list
    if not is_unicode_text(username):
        errors["username"] = [ValidationError("Must be valid Unicode text.", code="invalid")]
    try:
        if not is_unicode_text(password):
            raise ValidationError("Must be valid Unicode text.", code="invalid")
        if len(password) > PASSWORD_MAX_LENGTH:
            raise ValidationError(f"Ensure the password has at most {PASSWORD_MAX_LENGTH} characters.", "max_length")
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = error.error_list
    if not errors.get("username") and user_model.objects.filter(username=username).exists():
        errors["username"] = [ValidationError(USERNAME_TAKEN, code="unique")]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent registration won the race
        raise ValidationError({"username": [ValidationError(USERNAME_TAKEN, code="unique")]}) from error
    return user


def tokens_for_user(*, user: AbstractBaseUser) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def tokens_obtain(*, username: str, password: str) -> TokenPair:
    """A token pair for valid credentials; `InvalidCredentials` otherwise."""
    # NUL cannot be stored in PostgreSQL text: such a username is simply unknown.
    if "\x00" in username or len(password) > PASSWORD_MAX_LENGTH or not is_unicode_text(username + password):
        raise InvalidCredentials
    user = authenticate(username=get_user_model().normalize_username(username), password=password)
    if user is None:
        raise InvalidCredentials
    return tokens_for_user(user=user)


def tokens_refresh(*, refresh_token: str) -> TokenPair:
    """A new pair for a valid refresh token, which is revoked (rotation): each refresh token works once.

    `InvalidCredentials` for a bad, expired or revoked token (one used
    before: of two uses at once, one wins), or the token of a user who is
    gone or inactive.
    """
    refresh = _valid_refresh_token(refresh_token)
    user = get_user_model().objects.filter(pk=refresh.payload.get("user_id"), is_active=True).first()
    if user is None:
        raise InvalidCredentials
    _revoke(refresh)
    return tokens_for_user(user=user)


def tokens_revoke(*, refresh_token: str) -> None:
    """Logs out: the refresh token no longer works (its access tokens live out their minutes).

    `InvalidCredentials` for a bad, expired or already revoked token.
    """
    _revoke(_valid_refresh_token(refresh_token))


def _valid_refresh_token(refresh_token: str) -> RefreshToken:
    if not is_unicode_text(refresh_token):
        raise InvalidCredentials
    try:
        return RefreshToken(refresh_token)  # the signature, expiry, type and blacklist
    except TokenError as error:
        raise InvalidCredentials from error


def _revoke(refresh: RefreshToken) -> None:
    with transaction.atomic():
        _, revoked_now = refresh.blacklist()  # simplejwt answers get_or_create's pair
    if not revoked_now:  # revoked meanwhile, by a use of the same token at the same time
        raise InvalidCredentials
