"""The request counter's middleware, and the request metrics'."""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

from metrics.counter import count_request
from metrics.prometheus import record_request


class RequestCounterMiddleware:
    """Counts every HTTP request that reaches Django, once, on arrival.

    Near the top of `MIDDLEWARE` (below the observers, which answer
    nothing), so errors and 404s raised further down are counted too.
    `REQUEST_COUNTER_ENABLED=false` takes it out of the chain altogether.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.REQUEST_COUNTER_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count_request()
        return self.get_response(request)


class RequestMetricsMiddleware:
    """Counts each request by route, method and status and times it, for `/metrics`.

    Just below the access log: it sees the final status. Out of the chain
    while the metrics are off (no `METRICS_TOKEN`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.METRICS_TOKEN:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        record_request(request, response.status_code, time.perf_counter() - started)
        return response
