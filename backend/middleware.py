"""Small middleware of the whole site: the access log, HEAD without a body."""

import logging
import re
import secrets
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import SimpleLazyObject, empty

from backend.logging import RequestLog, current_request

REQUEST_ID_HEADER = "X-Request-ID"
# A client's (or proxy's) request id is kept when it is this short and plain; otherwise a new one is made.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The logged path: percent-encoded (no control characters), cut to this many characters.
MAX_LOGGED_PATH = 200

access_logger = logging.getLogger("backend.access")


def request_id_of(request: HttpRequest) -> str:
    """The request's `X-Request-ID` when it is well-formed, else a new random one (32 hex digits, as nginx's)."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if REQUEST_ID_PATTERN.fullmatch(given):
        return given
    return secrets.token_hex(16)


def authenticated_user_id(request: HttpRequest) -> str | None:
    """The id of the user the request was authenticated as, without authenticating anyone.

    DRF and the GraphQL view set `request.user` to the bearer token's user;
    the admin resolves the session's lazily. A user nobody resolved stays
    unresolved here: that would cost a session read.
    """
    user = vars(request).get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return str(user.pk) if user.is_authenticated else None


class AccessLogMiddleware:
    """One line per request: method, path (no query string), status, duration, user, request id.

    First in `MIDDLEWARE`: it sees the final status (the 4xx and 5xx other
    middleware answer included), and the request id is set before anything
    else logs. The id is echoed in the response's `X-Request-ID`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_log = RequestLog(request_id=request_id_of(request))
        token = current_request.set(request_log)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_log.request_id
            if log_access(request, response, (time.perf_counter() - started) * 1000, request_log):
                # Django's handler would log a 4xx/5xx again (django.request), outside the request's context.
                response._has_been_logged = True
            return response
        finally:
            current_request.reset(token)


def log_access(request: HttpRequest, response: HttpResponse, duration_ms: float, request_log: RequestLog) -> bool:
    """Writes the request's access line, unless the logger's level leaves it out; answers whether it did."""
    # A refused suspicious request: this line stands for the security log's (see `OneShortLine`).
    level = logging.INFO if request_log.suspicious is None else logging.WARNING
    if not access_logger.isEnabledFor(level):
        return False  # LOG_LEVEL=WARNING: no access lines, and nothing spent on them
    path = escape_uri_path(request.path)[:MAX_LOGGED_PATH]
    user_id = authenticated_user_id(request)
    fields = {
        "method": request.method,
        "path": path,
        "status": response.status_code,
        "duration_ms": round(duration_ms, 1),
        "user_id": user_id,
    }
    if request_log.suspicious is not None:
        fields["suspicious"] = request_log.suspicious
    access_logger.log(
        level,
        "%s %s %d %.1fms user=%s",
        request.method,
        path,
        response.status_code,
        duration_ms,
        user_id or "-",
        extra=fields,
    )
    return True


class HeadWithoutBodyMiddleware:
    """Answers HEAD as GET without the body (RFC 9110, section 9.3.2).

    Django's views render the body of a HEAD request as for GET; gunicorn
    drops it, with a warning in the log for every such request. Sits above
    `CommonMiddleware`, so the `Content-Length` of the GET stays.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response
