"""Bearer JWT authentication: the one piece both the DRF views and GraphQL use."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from rest_framework_simplejwt.authentication import JWTAuthentication

_authenticator = JWTAuthentication()


def authenticate_bearer(request: HttpRequest) -> AbstractBaseUser | None:
    """The user of the request's `Authorization: Bearer` token, or None without one.

    Raises DRF's `AuthenticationFailed` (simplejwt's `InvalidToken`) for a
    present but invalid, expired or unknown-user token.
    """
    result = _authenticator.authenticate(request)
    return result[0] if result else None
