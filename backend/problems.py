"""RFC 9457 problem documents: the one error shape of every route."""

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from backend.db import is_database_busy

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Headers of an error response that carry meaning a client needs.
PRESERVED_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
NOT_FOUND_DETAIL = "No such resource."
SERVER_ERROR_DETAIL = "An unexpected error occurred."
# The same detail whether Django's handlers or its DEBUG pages answered.
DETAIL_BY_STATUS = {404: NOT_FOUND_DETAIL, 500: SERVER_ERROR_DETAIL}


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: Iterable[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> JsonResponse:
    """A problem document with the standard title of `status`.

    `errors` lists field problems as `{field, code, message}` items (for
    GraphQL-level answers, GraphQL error objects); `members` are extension
    members of the document (RFC 9457, section 3.2).
    """
    title = HTTPStatus(status).phrase
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail or title + "."}
    if errors is not None:
        body["errors"] = list(errors)
    body.update(members)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


def is_json(response: HttpResponse) -> bool:
    """JSON: `application/json` or a `+json` type (a problem document, a GraphQL response)."""
    media_type = response.get("Content-Type", "").partition(";")[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")


def as_problem(response: HttpResponse) -> HttpResponse:
    """Replace a non-JSON error page (Django's, a 405, a CSRF 403) with a problem document."""
    headers = {name: response[name] for name in PRESERVED_HEADERS if response.has_header(name)}
    return problem_response(response.status_code, DETAIL_BY_STATUS.get(response.status_code), headers=headers)


class ProblemDetailsMiddleware:
    """Turns every error that reaches it into a problem document, HTML pages included.

    Sits near the top of `MIDDLEWARE`, so it also sees the responses that
    Django builds for exceptions raised further down (404, 413, CSRF).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and not is_json(response):
            return as_problem(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        if isinstance(exception, Http404):
            return problem_response(404, NOT_FOUND_DETAIL)
        if isinstance(exception, RequestDataTooBig):
            return problem_response(413, "The request body is too large.")
        if isinstance(exception, PermissionDenied):
            return problem_response(403)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return problem_response(400)
        if is_database_busy(exception):
            return problem_response(503, "The database is busy; retry in a moment.", headers={"Retry-After": "1"})
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        response = problem_response(500, SERVER_ERROR_DETAIL)
        response._has_been_logged = True  # logged above with its traceback; spare django.request
        return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(404, NOT_FOUND_DETAIL)


def server_error(request: HttpRequest) -> HttpResponse:
    return problem_response(500, SERVER_ERROR_DETAIL)
