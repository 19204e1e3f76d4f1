"""GraphQL errors with a stable `extensions.code`, shared by both faces.

Resolvers raise these; the REST shims map `code` to an HTTP status with
`HTTP_STATUS_BY_CODE`. Any other exception is masked as INTERNAL_SERVER_ERROR.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from graphql import GraphQLError

UNAUTHENTICATED = "UNAUTHENTICATED"
BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
UPSTREAM_BAD_RESPONSE = "UPSTREAM_BAD_RESPONSE"
UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
BAD_REQUEST = "BAD_REQUEST"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
RATE_LIMITED = "RATE_LIMITED"

HTTP_STATUS_BY_CODE = {
    UNAUTHENTICATED: 401,
    BAD_USER_INPUT: 400,
    BAD_REQUEST: 400,
    GRAPHQL_PARSE_FAILED: 400,
    GRAPHQL_VALIDATION_FAILED: 400,
    NOT_FOUND: 404,
    RATE_LIMITED: 429,
    UPSTREAM_BAD_RESPONSE: 502,
    UPSTREAM_UNAVAILABLE: 503,
    SERVICE_UNAVAILABLE: 503,
    UPSTREAM_TIMEOUT: 504,
    INTERNAL_SERVER_ERROR: 500,
}


class ApiError(GraphQLError):
    """An error a client may see as it is: its message is never masked."""

    code = INTERNAL_SERVER_ERROR
    default_message = "An unexpected error occurred."

    def __init__(self, message: str | None = None, **extensions: Any) -> None:
        super().__init__(message or self.default_message, extensions={"code": self.code, **extensions})


class Unauthenticated(ApiError):
    code = UNAUTHENTICATED
    default_message = "Authentication credentials were not provided or are invalid."


class NotFound(ApiError):
    code = NOT_FOUND
    default_message = "Not found."


class RateLimited(ApiError):
    """Too many attempts; `retryAfter` in seconds."""

    code = RATE_LIMITED
    default_message = "Too many attempts."


class ServiceUnavailable(ApiError):
    """A dependency (a store, a cache) cannot answer; `retryAfter` in seconds when known."""

    code = SERVICE_UNAVAILABLE
    default_message = "A dependency is unavailable."


class UpstreamUnavailable(ApiError):
    code = UPSTREAM_UNAVAILABLE
    default_message = "The movie catalog is unavailable."


class UpstreamBadResponse(ApiError):
    code = UPSTREAM_BAD_RESPONSE
    default_message = "The movie catalog answered with a malformed payload."


class UpstreamTimeout(ApiError):
    code = UPSTREAM_TIMEOUT
    default_message = "The movie catalog did not answer in time."


class BadUserInput(ApiError):
    """One or more invalid fields.

    `extensions.field` names the first; `extensions.errors` lists every
    problem as `{field, code, message}`, the same items as REST's `errors`.
    """

    code = BAD_USER_INPUT

    def __init__(self, errors: Iterable[Mapping[str, str]], message: str | None = None) -> None:
        items = [dict(error) for error in errors]
        first = items[0] if items else {"field": "", "message": "Invalid input."}
        super().__init__(message or first["message"], field=first["field"], errors=items)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "BadUserInput":
        """From Django's `ValidationError`, whose dict keys are dotted field paths."""
        return cls(field_errors(error))


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Flatten a Django `ValidationError` into `{field, code, message}` items."""
    if not hasattr(error, "error_dict"):
        return [_item("", e) for e in error.error_list]
    return [_item(field, e) for field, errors in error.error_dict.items() for e in errors]


def _item(field: str, error: ValidationError) -> dict[str, str]:
    message = error.message % error.params if error.params else error.message
    return {"field": field, "code": error.code or "invalid", "message": str(message)}
