"""`/metrics`: Prometheus metrics for a scraper holding `METRICS_TOKEN`."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from backend.problems import NOT_FOUND_DETAIL, problem_response
from metrics.prometheus import CONTENT_TYPE, exposition

INVALID_METRICS_TOKEN = "A valid metrics token is required."  # noqa: S105 - a message, not a secret


def bearer_token(request: HttpRequest) -> str | None:
    """The credentials of an `Authorization: Bearer <token>` header (scheme in any case), or None."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def metrics(request: HttpRequest) -> HttpResponse:
    """404 while `METRICS_TOKEN` is unset (as any unknown path), 401 without that token; the metrics otherwise."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return problem_response(404, NOT_FOUND_DETAIL)
    presented = bearer_token(request) or ""
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        return problem_response(401, INVALID_METRICS_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if request.method not in ("GET", "HEAD"):
        return problem_response(405, headers={"Allow": "GET, HEAD"})
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)
