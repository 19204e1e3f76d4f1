"""DRF's exception handler, answering every error as a problem document.

Imports no `rest_framework.views` at module level: settings reference this
module, and that import would be circular at start-up.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status

from backend.problems import problem_response
from graphql_api.errors import field_errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    if isinstance(exc, Http404):
        return problem_response(404, "No such resource.")
    if isinstance(exc, PermissionDenied):
        return problem_response(403)
    if isinstance(exc, DjangoValidationError):
        return problem_response(400, "The request is not valid.", errors=field_errors(exc))
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(400, "The request is not valid.", errors=flatten_drf_errors(exc.detail))
    if isinstance(exc, exceptions.APIException):
        return problem_response(exc.status_code, detail_text(exc.detail), headers=_headers(exc, context))
    return None


def detail_text(detail: Any) -> str:
    """The message of an `APIException` detail.

    simplejwt's `InvalidToken` carries a dict (`detail`, `code`, `messages`),
    whose `str()` would be a Python repr.
    """
    if isinstance(detail, dict):
        return detail_text(detail.get("detail", next(iter(detail.values()), "")))
    if isinstance(detail, list):
        return detail_text(detail[0]) if detail else ""
    return str(detail)


def _headers(exc: exceptions.APIException, context: dict[str, Any]) -> dict[str, str]:
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        view = context.get("view")
        request = context.get("request")
        header = view.get_authenticate_header(request) if view and request else None
        if header:
            headers["WWW-Authenticate"] = header
    return headers


def flatten_drf_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as `{field, code, message}` items with dotted paths."""
    if isinstance(detail, dict):
        return [item for key, value in detail.items() for item in flatten_drf_errors(value, _join(prefix, key))]
    if isinstance(detail, list) and detail and all(isinstance(d, exceptions.ErrorDetail) for d in detail):
        return [{"field": prefix, "code": d.code or "invalid", "message": str(d)} for d in detail]
    if isinstance(detail, list):
        return [item for index, value in enumerate(detail) for item in flatten_drf_errors(value, _join(prefix, index))]
    return [{"field": prefix, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def _join(prefix: str, key: object) -> str:
    key = "" if key == "non_field_errors" else str(key)
    return f"{prefix}.{key}" if prefix and key else prefix or key
