"""Bearer JWT authentication: the one piece both the DRF views and GraphQL use."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

INVALID_TOKEN = "The access token is invalid or expired."  # noqa: S105 - a message, not a secret


# Users a process keeps at most (the least recently used are read again).
USER_CACHE_ENTRIES = 10_000


class UserCache:
    """The active users of recent tokens, each kept for `AUTH_USER_CACHE_SECONDS`.

    A request then reads no user row; a user deactivated or deleted is
    refused on every process at most that long after (a missing or inactive
    user is kept as such for as long).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._users: OrderedDict[str, tuple[AbstractBaseUser | None, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: str, load: Callable[[], AbstractBaseUser | None]) -> AbstractBaseUser | None:
        """The active user `user_id`, or None; `load` reads it when it is not kept or kept too long."""
        now = self.clock()
        with self._lock:
            user, expires = self._users.get(user_id, (None, now))
            if expires > now:
                self._users.move_to_end(user_id)
                return user
        user = load()
        with self._lock:
            self._users[user_id] = (user, now + settings.AUTH_USER_CACHE_SECONDS)
            self._users.move_to_end(user_id)
            while len(self._users) > USER_CACHE_ENTRIES:
                self._users.popitem(last=False)
        return user


class VerifiedTokens:
    """Access tokens already verified, with their user's id, kept until they expire.

    Verifying a token (its signature and claims) is the same work with the
    same answer each time: a client sending one token a thousand times has
    it verified once per process.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._tokens: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def user_id(self, token: bytes, verify: Callable[[], Token]) -> str:
        """The id of the token's user; `verify` raises for a bad token, which is not kept."""
        with self._lock:
            known = self._tokens.get(token)
            if known is not None and known[1] > self.clock():
                self._tokens.move_to_end(token)
                return known[0]
        validated = verify()
        try:
            user_id = str(validated[api_settings.USER_ID_CLAIM])
        except KeyError as error:
            raise InvalidToken(INVALID_TOKEN) from error
        with self._lock:
            self._tokens[token] = (user_id, float(validated["exp"]))
            while len(self._tokens) > USER_CACHE_ENTRIES:
                self._tokens.popitem(last=False)
        return user_id


class BearerAuthentication(JWTAuthentication):
    """simplejwt's authentication with the scheme matched case-insensitively (RFC 9110,
    section 11.1) and one message for every bad credential.

    A request without an `Authorization` header is anonymous; one with any
    other credentials (another scheme, a bad, expired or refresh token, the
    token of a deleted or inactive user) fails with `INVALID_TOKEN`, so that
    no answer tells which check failed.
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token | bytes] | None:
        header = self.get_header(request)
        if header is None or not header.strip():
            return None
        scheme, _, token = header.strip().partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip() or b" " in token.strip():
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        raw = token.strip()
        try:
            if settings.AUTH_USER_CACHE_SECONDS <= 0:
                validated = self.get_validated_token(raw)
                return self.get_user(validated), validated
            user_id = verified.user_id(raw, lambda: self.get_validated_token(raw))
            return self.user_of(user_id), raw
        except AuthenticationFailed as error:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from error

    def user_of(self, user_id: str) -> AbstractBaseUser:
        """The active user `user_id`, from this process's `users` cache (`AUTH_USER_CACHE_SECONDS`)."""
        lookup = {api_settings.USER_ID_FIELD: user_id, "is_active": True}
        user = users.get(user_id, lambda: self.user_model.objects.filter(**lookup).first())
        if user is None:
            raise AuthenticationFailed(INVALID_TOKEN, code="user_not_found")
        return user


users = UserCache()
verified = VerifiedTokens()


_authenticator = BearerAuthentication()


def authenticate_bearer(request: HttpRequest) -> AbstractBaseUser | None:
    """The user of the request's `Authorization: Bearer` token, or None without the header.

    Raises DRF's `AuthenticationFailed` for any other credentials.
    """
    result = _authenticator.authenticate(request)
    return result[0] if result else None
