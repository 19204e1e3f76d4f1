"""The app's Prometheus metrics, and the text `/metrics` answers.

Every label takes a bounded set of values: a route is the URL pattern's
name (never the raw path), a method outside the standard ones is "other".
Under a server of several worker processes, prometheus-client's
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`) makes a scrape answer the
sum of every process; without it, each process answers its own.
"""

from enum import IntEnum

from django.conf import settings
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

# Methods a route may see; anything else is counted as "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The route of a request no URL pattern matched (a 404 of any path).
UNMATCHED_ROUTE = "unmatched"
# Seconds: from a cached answer (a few ms) to the upstream's deadline (10 s).
# Prometheus' text format, which every scraper reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

http_requests = Counter(
    "http_requests", "HTTP requests answered, by route, method and status.", ["route", "method", "status"]
)
http_request_duration = Histogram(
    "http_request_duration_seconds", "Time to answer a request, by route.", ["route"], buckets=LATENCY_BUCKETS
)
upstream_calls = Counter(
    "movies_upstream_calls",
    "Calls for a page of the movie catalog (retries included), by outcome: success, not_found, unavailable, "
    "timeout, bad_response, circuit_open (refused by the open circuit breaker, the upstream untouched).",
    ["outcome"],
)
upstream_retries = Counter(
    "movies_upstream_retries", "Attempts at the movie upstream after a failed one, by the failure's kind.", ["reason"]
)
movie_cache_lookups = Counter(
    "movies_cache_lookups",
    "Catalog page lookups, by result: hit (fresh in the cache), miss (asked the upstream), "
    "stale (a miss whose upstream call failed, answered with a kept copy; also counted as a miss).",
    ["result"],
)
circuit_breaker_state = Gauge(
    "movies_circuit_breaker_state",
    "The movie upstream's circuit breaker: 0 closed, 1 half-open, 2 open (the worst of the live processes).",
    multiprocess_mode="livemax",
)
counter_synced = Gauge(
    "request_counter_synced_timestamp_seconds",
    "When the request counter's store last held everything this process counted (Unix time; the oldest of the "
    "live processes). time() minus it is the flush lag; it stops advancing while the store is unavailable.",
    multiprocess_mode="livemin",
)


class BreakerState(IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


def route_of(request: HttpRequest) -> str:
    """The name of the URL pattern the request matched (its view's path when unnamed), or "unmatched"."""
    match = request.resolver_match
    return match.view_name if match is not None else UNMATCHED_ROUTE


def record_request(request: HttpRequest, status: int, seconds: float) -> None:
    route = route_of(request)
    method = request.method if request.method in KNOWN_METHODS else "other"
    http_requests.labels(route=route, method=method, status=str(status)).inc()
    http_request_duration.labels(route=route).observe(seconds)


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or every process's in multiprocess mode."""
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)
