"""Counts every HTTP request that reaches Django, once, on arrival."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

from metrics.counter import count_request


class RequestCounterMiddleware:
    """First in `MIDDLEWARE`, so errors and 404s raised further down are counted too.

    `REQUEST_COUNTER_ENABLED=false` takes it out of the chain altogether.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.REQUEST_COUNTER_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count_request()
        return self.get_response(request)
