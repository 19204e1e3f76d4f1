"""The page cache in front of the upstream catalog.

A page is fresh for `MOVIES_CACHE_FRESH_SECONDS` and kept for
`MOVIES_CACHE_STALE_SECONDS`: when a refresh fails, the kept copy is served,
marked stale (stale-if-error). A page past the end is remembered while
fresh, so it costs the upstream one call per freshness window.

Single-flight: requests for the same cold page make one upstream call. In a
process, the first thread fetches and the others wait for its result (or
its error). Across processes, when the cache is django-redis, the fetch
runs under a Redis lock and whoever gets the lock next finds the page in
the cache instead of fetching it again.
"""

import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache

from metrics import prometheus
from movies import client
from movies.exceptions import CatalogError, CatalogPageNotFoundError, CatalogTimeoutError
from movies.types import MoviePage

logger = logging.getLogger(__name__)

# Part of every key: a change of what an entry holds starts a new set of keys.
ENTRY_VERSION = 2
# How often a process waiting for another's Redis lock looks again.
LOCK_POLL_SECONDS = 0.02
# A lock outlives its holder's deadline by this much, then expires on its own (a crashed holder).
LOCK_GRACE_SECONDS = 1.0


class Entry(TypedDict):
    """A cached page, or `None` for a page past the end, and when it was fetched (`time.time()`)."""

    fetched_at: float
    page: MoviePage | None


def cached_page(*, page: int, deadline: float | None = None) -> MoviePage:
    """Page `page` of the catalog, `stale` when it is a kept copy.

    `deadline` (a `time.monotonic()` instant, by default
    `MOVIES_API_DEADLINE_SECONDS` from now) bounds the wait for the
    upstream. Raises `CatalogPageNotFoundError` past the end, and the other
    `CatalogError`s when the upstream fails and no copy is kept.
    """
    if deadline is None:
        deadline = time.monotonic() + settings.MOVIES_API_DEADLINE_SECONDS
    key = page_key(page)
    entry = _get(key)
    if _is_fresh(entry):
        prometheus.movie_cache_lookups.labels(result="hit").inc()
    else:
        prometheus.movie_cache_lookups.labels(result="miss").inc()
        try:
            entry = _single_flight(key, deadline, lambda: refresh_page(page=page, deadline=deadline))
        except CatalogPageNotFoundError:
            raise
        except CatalogError as error:
            if entry is None or entry["page"] is None:
                raise
            logger.warning("Serving a stale copy of movie page %d: %s", page, error)
            prometheus.movie_cache_lookups.labels(result="stale").inc()
            return dataclasses.replace(entry["page"], stale=True)
    if entry["page"] is None:
        raise CatalogPageNotFoundError(page)
    return entry["page"]


def refresh_page(*, page: int, deadline: float) -> Entry:
    """Fetch page `page` into the cache, unless another process just did; the cache entry.

    Runs under the cross-process lock when the cache offers one. Most
    callers want `cached_page`.
    """
    key = page_key(page)
    with _cross_process_lock(key, deadline):
        entry = _get(key)
        if _is_fresh(entry):
            return entry
        try:
            fetched = client.fetch_page(page=page, deadline=deadline)
        except CatalogPageNotFoundError:
            _set(key, Entry(fetched_at=time.time(), page=None), timeout=settings.MOVIES_CACHE_FRESH_SECONDS)
            raise
        entry = Entry(fetched_at=time.time(), page=fetched)
        _set(key, entry, timeout=max(settings.MOVIES_CACHE_FRESH_SECONDS, settings.MOVIES_CACHE_STALE_SECONDS))
        return entry


def page_key(page: int) -> str:
    """Cache key of page `page`, scoped to the upstream URL so two catalogs never mix."""
    upstream = hashlib.sha256(settings.MOVIES_API_URL.encode()).hexdigest()[:12]
    return f"movies:v{ENTRY_VERSION}:{upstream}:page:{page}"


def _get(key: str) -> Entry | None:
    entry = cache.get(key)
    return entry if isinstance(entry, dict) else None


def _set(key: str, entry: Entry, *, timeout: float) -> None:
    if timeout > 0:
        cache.set(key, entry, timeout=timeout)
    else:
        cache.delete(key)


def _is_fresh(entry: Entry | None) -> bool:
    return entry is not None and time.time() - entry["fetched_at"] < settings.MOVIES_CACHE_FRESH_SECONDS


_flights: dict[str, Future[Entry]] = {}
_flights_lock = threading.Lock()


def _single_flight(key: str, deadline: float, fetch: Callable[[], Entry]) -> Entry:
    """Run `fetch` once for all threads that ask for `key` while it runs; share its result or error."""
    with _flights_lock:
        flight = _flights.get(key)
        leader = flight is None
        if leader:
            flight = _flights[key] = Future()
    if not leader:
        try:
            return flight.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError as error:
            raise CatalogTimeoutError("The movie catalog did not answer in time.") from error
    try:
        entry = fetch()
    except BaseException as error:
        flight.set_exception(error)
        raise
    else:
        flight.set_result(entry)
        return entry
    finally:
        with _flights_lock:
            del _flights[key]


@contextmanager
def _cross_process_lock(key: str, deadline: float) -> Iterator[None]:
    """Hold the Redis lock of `key` while the body runs; a no-op for caches without locks.

    If Redis fails, or the lock does not come before the deadline, the body
    runs anyway: the lock saves upstream calls, it is not needed for
    correctness.
    """
    make_lock = getattr(cache, "lock", None)  # django-redis has it; locmem and Django's RedisCache do not
    if make_lock is None:
        yield
        return
    from redis.exceptions import LockError, RedisError

    lock = make_lock(
        f"{key}:lock",
        timeout=settings.MOVIES_API_DEADLINE_SECONDS + LOCK_GRACE_SECONDS,
        sleep=LOCK_POLL_SECONDS,
        blocking_timeout=max(0.0, deadline - time.monotonic()),
        thread_local=False,
    )
    try:
        acquired = lock.acquire()
    except RedisError as error:
        logger.warning("Movie page lock unavailable, fetching without it: %s", error)
        acquired = False
    try:
        yield
    finally:
        if acquired:
            try:
                lock.release()
            except (LockError, RedisError) as error:  # expired or Redis gone: it frees itself
                logger.warning("Movie page lock not released: %s", error)
