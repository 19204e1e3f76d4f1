"""HTTP client for the upstream movie catalog.

One call (`fetch_page`) gets one page within one deadline
(`MOVIES_API_DEADLINE_SECONDS`): each attempt's connect and read timeouts
are clipped to what is left of it, and no retry or backoff outlives it.
Connection errors, timeouts, 429 and 5xx are retried with exponential
backoff and jitter; a `Retry-After` is waited out when it fits in the
deadline. A per-process circuit breaker stops calling an upstream that
keeps failing and lets one probe through after a cool-down. The payload is
validated before anyone sees it.
"""

import email.utils
import json
import logging
import math
import random
import threading
import time
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter

from backend.text import is_unicode_text
from metrics import prometheus
from metrics.prometheus import BreakerState
from movies.exceptions import (
    CatalogBadResponseError,
    CatalogPageNotFoundError,
    CatalogTimeoutError,
    CatalogUnavailableError,
)
from movies.types import Movie, MoviePage, split_genres

logger = logging.getLogger(__name__)

# Smallest timeout worth giving an attempt: below it the attempt cannot succeed.
MIN_ATTEMPT_SECONDS = 0.005
# An upstream's Retry-After above this is taken as this (an hour): no client should be told to wait days.
MAX_RETRY_AFTER_SECONDS = 3600
# The largest count the API can answer (GraphQL's Int is 32-bit).
MAX_COUNT = 2**31 - 1
# The most movies a page may hold (the catalog's have 10): more is a malformed payload.
MAX_RESULTS_PER_PAGE = 50
READ_CHUNK_BYTES = 16_384
RESULT_FIELDS = ("title", "description", "genres", "uuid")

# Jitter spreads retries of many clients apart; it needs no cryptographic quality.
_jitter = random.Random()  # noqa: S311


class CircuitBreaker:
    """Consecutive-failure breaker, shared by the threads of one process.

    Closed: calls go through. After `MOVIES_BREAKER_FAILURE_THRESHOLD`
    consecutive failed calls it opens: calls fail fast without touching the
    upstream. After `MOVIES_BREAKER_RESET_SECONDS` it is half-open: one probe
    call goes through; its success closes the breaker, its failure opens it
    again for another cool-down.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    def before_call(self) -> None:
        """Let the call through, or raise `CatalogUnavailableError` while open."""
        with self._lock:
            if self._opened_at is None:
                return
            wait = self._opened_at + settings.MOVIES_BREAKER_RESET_SECONDS - time.monotonic()
            if wait <= 0 and not self._probing:
                self._probing = True  # half-open: this call is the probe
                prometheus.circuit_breaker_state.set(BreakerState.HALF_OPEN)
                logger.info("Movie catalog circuit half-open: probing the upstream")
                return
        raise CatalogUnavailableError(
            "The movie catalog is unavailable (circuit open).", retry_after=math.ceil(max(wait, 1))
        )

    def record_success(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                logger.info("Movie catalog circuit closed: the upstream answers again")
            self._failures = 0
            self._opened_at = None
            self._probing = False
            prometheus.circuit_breaker_state.set(BreakerState.CLOSED)

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            half_open_probe_failed = self._probing
            self._probing = False
            if half_open_probe_failed or self._failures >= settings.MOVIES_BREAKER_FAILURE_THRESHOLD:
                if self._opened_at is None or half_open_probe_failed:
                    logger.warning("Movie catalog circuit open after %d consecutive failures", self._failures)
                self._opened_at = time.monotonic()
                prometheus.circuit_breaker_state.set(BreakerState.OPEN)

    def retry_after(self) -> int | None:
        """Seconds until the next probe while open; None while closed."""
        with self._lock:
            if self._opened_at is None:
                return None
            return math.ceil(max(self._opened_at + settings.MOVIES_BREAKER_RESET_SECONDS - time.monotonic(), 1))

    def reset(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False
            prometheus.circuit_breaker_state.set(BreakerState.CLOSED)


breaker = CircuitBreaker()


@cache
def get_session() -> requests.Session:
    """The process's pooled session; retries are ours, so the adapter makes none."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=settings.MOVIES_API_POOL_SIZE, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept"] = "application/json"
    return session


class _RetryableFailure(Exception):
    """One failed attempt worth retrying; `kind` names it in the metrics (timeout, connection_error, http_status)."""

    def __init__(self, reason: str, *, kind: str, timed_out: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.timed_out = timed_out
        self.retry_after = retry_after


# The outcome of a call in the metrics, by the error it raised.
OUTCOME_BY_ERROR = (
    (CatalogPageNotFoundError, "not_found"),
    (CatalogUnavailableError, "unavailable"),
    (CatalogTimeoutError, "timeout"),
    (CatalogBadResponseError, "bad_response"),
)


def outcome_of(error: BaseException) -> str:
    return next((outcome for kind, outcome in OUTCOME_BY_ERROR if isinstance(error, kind)), "error")


def fetch_page(*, page: int, deadline: float | None = None) -> MoviePage:
    """Page `page` (1-based) of the upstream catalog.

    `deadline` is a `time.monotonic()` instant; by default
    `MOVIES_API_DEADLINE_SECONDS` from now. Raises `CatalogPageNotFoundError`
    past the end, `CatalogUnavailableError`, `CatalogBadResponseError` or
    `CatalogTimeoutError` when the upstream cannot give the page.
    """
    if deadline is None:
        deadline = time.monotonic() + settings.MOVIES_API_DEADLINE_SECONDS
    if deadline - time.monotonic() < MIN_ATTEMPT_SECONDS:
        raise CatalogTimeoutError("The movie catalog did not answer in time.")
    try:
        breaker.before_call()
    except CatalogUnavailableError:
        prometheus.upstream_calls.labels(outcome="circuit_open").inc()
        raise
    try:
        result = _fetch_with_retries(page=page, deadline=deadline)
    except CatalogPageNotFoundError:
        breaker.record_success()  # the upstream is healthy, the page just is not there
        prometheus.upstream_calls.labels(outcome="not_found").inc()
        raise
    except BaseException as error:
        breaker.record_failure()
        if isinstance(error, CatalogUnavailableError):
            error.retry_after = max(error.retry_after, breaker.retry_after() or 0)
        prometheus.upstream_calls.labels(outcome=outcome_of(error)).inc()
        raise
    breaker.record_success()
    prometheus.upstream_calls.labels(outcome="success").inc()
    return result


def _fetch_with_retries(*, page: int, deadline: float) -> MoviePage:
    max_attempts = max(1, settings.MOVIES_API_MAX_ATTEMPTS)
    for attempt in range(1, max_attempts + 1):
        if attempt > 1 and deadline - time.monotonic() < MIN_ATTEMPT_SECONDS:
            break  # the backoff overslept: the previous failure is the answer
        try:
            return _attempt(page=page, deadline=deadline)
        except _RetryableFailure as failure:
            last = failure
        delay = _backoff(attempt)
        if last.retry_after is not None:
            delay = max(delay, last.retry_after)
        out_of_time = time.monotonic() + delay + MIN_ATTEMPT_SECONDS >= deadline
        logger.warning(
            "Movie catalog page %d, attempt %d/%d failed: %s%s",
            page,
            attempt,
            max_attempts,
            last.reason,
            "" if attempt == max_attempts or out_of_time else f"; retrying in {delay:.2f}s",
        )
        if attempt == max_attempts or out_of_time:
            break
        prometheus.upstream_retries.labels(reason=last.kind).inc()
        time.sleep(delay)
    if last.timed_out:
        raise CatalogTimeoutError("The movie catalog did not answer in time.")
    retry_after = last.retry_after if last.retry_after is not None else settings.MOVIES_API_RETRY_AFTER_SECONDS
    raise CatalogUnavailableError(retry_after=math.ceil(retry_after))


def _backoff(attempt: int) -> float:
    """Exponential backoff with "equal jitter": between half and all of the capped exponential delay."""
    delay = min(settings.MOVIES_API_BACKOFF_MAX_SECONDS, settings.MOVIES_API_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return delay / 2 + _jitter.uniform(0, delay / 2)


def _attempt(*, page: int, deadline: float) -> MoviePage:
    remaining = deadline - time.monotonic()
    if remaining < MIN_ATTEMPT_SECONDS:
        raise _RetryableFailure("deadline reached", kind="timeout", timed_out=True)
    timeout = (
        min(settings.MOVIES_API_CONNECT_TIMEOUT_SECONDS, remaining),
        min(settings.MOVIES_API_READ_TIMEOUT_SECONDS, remaining),
    )
    try:
        with get_session().get(
            settings.MOVIES_API_URL,
            params={"page": page},
            auth=(settings.MOVIES_API_USERNAME, settings.MOVIES_API_PASSWORD),
            timeout=timeout,
            stream=True,
            allow_redirects=False,
        ) as response:
            status = response.status_code
            if status == 404:
                raise CatalogPageNotFoundError(page)
            if status == 429 or status >= 500:
                raise _RetryableFailure(
                    f"HTTP {status}", kind="http_status", retry_after=parse_retry_after(response.headers)
                )
            if status != 200:
                raise CatalogBadResponseError(f"The movie catalog answered HTTP {status}.")
            body = _read_body(response, deadline=deadline)
    except requests.Timeout as error:
        raise _RetryableFailure(f"timeout ({error.__class__.__name__})", kind="timeout", timed_out=True) from error
    except requests.ConnectionError as error:
        raise _RetryableFailure(f"connection error ({error.__class__.__name__})", kind="connection_error") from error
    except requests.RequestException as error:  # an invalid URL or the like: a configuration problem
        logger.error("Movie catalog request failed: %r", error)
        raise CatalogUnavailableError(retry_after=settings.MOVIES_API_RETRY_AFTER_SECONDS) from error
    return parse_page(body, page=page)


def _read_body(response: requests.Response, *, deadline: float) -> bytes:
    """The body, bounded in size and in time.

    Each socket read may take only what is left of the deadline, so an
    upstream that trickles its body byte by byte cannot outlive it.
    """
    limit = settings.MOVIES_API_MAX_RESPONSE_BYTES
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining < MIN_ATTEMPT_SECONDS:
            raise _RetryableFailure("deadline reached while reading the body", kind="timeout", timed_out=True)
        _clip_socket_timeout(response, remaining)
        try:
            # One socket read at most (decoded, at most READ_CHUNK_BYTES): the deadline is checked between reads.
            chunk = response.raw.read1(READ_CHUNK_BYTES, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as error:
            raise _RetryableFailure("timeout while reading the body", kind="timeout", timed_out=True) from error
        except urllib3.exceptions.DecodeError as error:
            raise CatalogBadResponseError("The movie catalog answered with an undecodable body.") from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise _RetryableFailure(
                f"connection error while reading the body ({error.__class__.__name__})", kind="connection_error"
            ) from error
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise CatalogBadResponseError(f"The movie catalog answered with more than {limit} bytes.")


def _clip_socket_timeout(response: requests.Response, seconds: float) -> None:
    """Make the next socket read give up when the deadline does (urllib3 resets it per request)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(min(seconds, settings.MOVIES_API_READ_TIMEOUT_SECONDS))


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP-date), None when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER_SECONDS)


def parse_page(body: bytes, *, page: int) -> MoviePage:
    """Page `page` from the upstream's JSON; `CatalogBadResponseError` says what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise CatalogBadResponseError("The movie catalog answered with invalid JSON.") from error
    if not isinstance(data, dict):
        raise _bad("the payload is not an object")
    count = data.get("count")
    if type(count) is not int or not 0 <= count <= MAX_COUNT:
        raise _bad(f"count is not an integer from 0 to {MAX_COUNT}")
    for link in ("next", "previous"):
        if link not in data or not (data[link] is None or isinstance(data[link], str)):
            raise _bad(f"{link} is not null or a string")
    results = data.get("results")
    if not isinstance(results, list) or len(results) > MAX_RESULTS_PER_PAGE:
        raise _bad(f"results is not a list of at most {MAX_RESULTS_PER_PAGE} movies")
    return MoviePage(
        page=page,
        count=count,
        next_page=page + 1 if data["next"] is not None else None,
        previous_page=page - 1 if data["previous"] is not None else None,
        results=tuple(_parse_movie(index, item) for index, item in enumerate(results)),
    )


def _parse_movie(index: int, item: Any) -> Movie:
    if not isinstance(item, dict):
        raise _bad(f"results.{index} is not an object")
    for field in RESULT_FIELDS:
        if not isinstance(item.get(field), str):
            raise _bad(f"results.{index}.{field} is not a string")
        if not is_unicode_text(item[field]):
            raise _bad(f"results.{index}.{field} is not valid Unicode text")
    try:
        movie_uuid = uuid.UUID(item["uuid"])
    except ValueError as error:
        raise _bad(f"results.{index}.uuid is not a UUID") from error
    return Movie(
        uuid=movie_uuid,
        title=item["title"],
        description=item["description"],
        genres=split_genres(item["genres"]),
    )


def _bad(reason: str) -> CatalogBadResponseError:
    logger.warning("Malformed movie catalog payload: %s", reason)
    return CatalogBadResponseError(f"The movie catalog answered with a malformed payload: {reason}.")
