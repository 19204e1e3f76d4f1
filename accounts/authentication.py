"""Bearer JWT authentication: the one piece both the DRF views and GraphQL use."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import Token

INVALID_TOKEN = "The access token is invalid or expired."  # noqa: S105 - a message, not a secret


class BearerAuthentication(JWTAuthentication):
    """simplejwt's authentication with the scheme matched case-insensitively (RFC 9110,
    section 11.1) and one message for every bad credential.

    A request without an `Authorization` header is anonymous; one with any
    other credentials (another scheme, a bad, expired or refresh token, the
    token of a deleted or inactive user) fails with `INVALID_TOKEN`, so that
    no answer tells which check failed.
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token] | None:
        header = self.get_header(request)
        if header is None or not header.strip():
            return None
        scheme, _, token = header.strip().partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip() or b" " in token.strip():
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        try:
            validated = self.get_validated_token(token.strip())
            return self.get_user(validated), validated
        except AuthenticationFailed as error:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from error


_authenticator = BearerAuthentication()


def authenticate_bearer(request: HttpRequest) -> AbstractBaseUser | None:
    """The user of the request's `Authorization: Bearer` token, or None without the header.

    Raises DRF's `AuthenticationFailed` for any other credentials.
    """
    result = _authenticator.authenticate(request)
    return result[0] if result else None
