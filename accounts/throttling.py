"""A bound on registration and login attempts per client address, for both faces.

A fixed window in Django's cache (Redis when configured, so every process
and instance shares it); `AUTH_THROTTLE_PER_MINUTE=0` turns it off. If the
cache fails, attempts are let through rather than refused.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; retry in {retry_after} s.")
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address as DRF's throttles tell it: the peer's, or, behind
    `REST_FRAMEWORK["NUM_PROXIES"]` trusted proxies, the one they put in X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


def auth_attempt_throttle(request: HttpRequest) -> None:
    """Counts one attempt of the request's address; `Throttled` past the limit of this minute."""
    limit = settings.AUTH_THROTTLE_PER_MINUTE
    if not limit:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"throttle:auth:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window has begun
        return
    if attempts is not None and attempts > limit:
        raise Throttled(retry_after=max(1, int((window + 1) * WINDOW_SECONDS - now)))
