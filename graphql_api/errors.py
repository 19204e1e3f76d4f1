"""The one error path of the API.

Resolvers let the domain's exceptions through (a service's
`ValidationError`, a catalog or counter outage, ...). `api_error` turns each
error of a result into what clients see: a GraphQL error with a stable
`extensions.code`, the domain exceptions mapped by `from_domain`, anything
unexpected masked. The REST shims then answer the HTTP status of the code
(`HTTP_STATUS_BY_CODE`) with a problem document.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from graphql import GraphQLError, GraphQLSyntaxError

from accounts.services import InvalidCredentials
from accounts.throttling import Throttled
from backend.db import is_database_busy
from metrics.stores import CounterUnavailable
from movie_collections.services import CollectionChanged
from movies.exceptions import (
    CatalogBadResponseError,
    CatalogPageNotFoundError,
    CatalogTimeoutError,
    CatalogUnavailableError,
)

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
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
CONFLICT = "CONFLICT"
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"

HTTP_STATUS_BY_CODE = {
    UNAUTHENTICATED: 401,
    BAD_USER_INPUT: 400,
    BAD_REQUEST: 400,
    GRAPHQL_PARSE_FAILED: 400,
    GRAPHQL_VALIDATION_FAILED: 400,
    QUERY_TOO_COMPLEX: 400,
    NOT_FOUND: 404,
    # Only a REST If-Match sends an expected version: a precondition that failed.
    CONFLICT: 412,
    RATE_LIMITED: 429,
    UPSTREAM_BAD_RESPONSE: 502,
    UPSTREAM_UNAVAILABLE: 503,
    SERVICE_UNAVAILABLE: 503,
    DEADLINE_EXCEEDED: 503,
    UPSTREAM_TIMEOUT: 504,
    INTERNAL_SERVER_ERROR: 500,
}

UNEXPECTED_MESSAGE = "An unexpected error occurred."


class ApiError(GraphQLError):
    """An error a client may see as it is: its message is never masked."""

    def __init__(self, code: str, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


class Unauthenticated(ApiError):
    default_message = "Authentication credentials were not provided or are invalid."

    def __init__(self, message: str = default_message) -> None:
        super().__init__(UNAUTHENTICATED, message)


class BadUserInput(ApiError):
    """One or more invalid fields.

    `extensions.field` names the first; `extensions.errors` lists every
    problem as `{field, code, message}`, the same items as REST's `errors`.
    """

    def __init__(self, errors: Iterable[Mapping[str, str]], message: str | None = None) -> None:
        items = [dict(error) for error in errors]
        first = items[0] if items else {"field": "", "message": "Invalid input."}
        super().__init__(BAD_USER_INPUT, message or first["message"], field=first["field"], errors=items)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Flatten a Django `ValidationError` into `{field, code, message}` items (dict keys are dotted paths)."""
    if not hasattr(error, "error_dict"):
        return [_item("", e) for e in error.error_list]
    return [_item(field, e) for field, errors in error.error_dict.items() for e in errors]


def _item(field: str, error: ValidationError) -> dict[str, str]:
    message = error.message % error.params if error.params else error.message
    return {"field": field, "code": error.code or "invalid", "message": str(message)}


def from_domain(exception: BaseException) -> ApiError | None:
    """The API error that a domain exception stands for; None for anything else (a bug, an outage)."""
    if is_database_busy(exception):
        return ApiError(SERVICE_UNAVAILABLE, "The database is busy; retry in a moment.", retryAfter=1)
    match exception:
        case ValidationError():
            return BadUserInput(field_errors(exception))
        case CollectionChanged():
            return ApiError(CONFLICT, str(exception), version=exception.version)
        case ObjectDoesNotExist() | CatalogPageNotFoundError():
            return ApiError(NOT_FOUND, str(exception))
        case InvalidCredentials():
            return Unauthenticated("The credentials or the token are not valid.")
        case Throttled():
            return ApiError(RATE_LIMITED, str(exception), retryAfter=exception.retry_after)
        case CounterUnavailable():
            return ApiError(SERVICE_UNAVAILABLE, "The request counter's store is unavailable.")
        case CatalogUnavailableError():
            return ApiError(UPSTREAM_UNAVAILABLE, "The movie catalog is unavailable.", retryAfter=exception.retry_after)
        case CatalogBadResponseError():
            return ApiError(UPSTREAM_BAD_RESPONSE, "The movie catalog answered with a malformed payload.")
        case CatalogTimeoutError():
            return ApiError(UPSTREAM_TIMEOUT, "The movie catalog did not answer in time.")
    return None


def is_unexpected(error: GraphQLError) -> bool:
    """An error our code raised that no client caused: logged with its traceback, masked for the client.

    Parse, validation and limit errors have no original error; `ApiError`s
    and mapped domain exceptions are the client's business. Any other error
    of the execution is ours, graphql-core's own included (an answer it
    cannot serialize).
    """
    original = error.original_error
    if original is None:
        return error.path is not None and not (error.extensions or {}).get("code")
    if isinstance(original, GraphQLError):
        return not (original.extensions or {}).get("code")
    return from_domain(original) is None


def api_error(error: GraphQLError) -> GraphQLError:
    """`error` as clients see it: with an `extensions.code`, at the same place in the document."""
    if (error.extensions or {}).get("code"):
        return error
    if is_unexpected(error):
        return _located(ApiError(INTERNAL_SERVER_ERROR, UNEXPECTED_MESSAGE), at=error)
    if error.original_error is not None and (mapped := from_domain(error.original_error)):
        return _located(mapped, at=error)
    code = GRAPHQL_PARSE_FAILED if isinstance(error, GraphQLSyntaxError) else GRAPHQL_VALIDATION_FAILED
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


def _located(replacement: GraphQLError, *, at: GraphQLError) -> GraphQLError:
    return GraphQLError(
        replacement.message,
        nodes=at.nodes,
        source=at.source,
        positions=at.positions,
        path=at.path,
        original_error=at.original_error,
        extensions=replacement.extensions,
    )
