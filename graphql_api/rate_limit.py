"""A bucket of cost points per caller, refilled every second (Shopify's model).

Each answer's actual cost is taken from the caller's bucket after it runs; a
caller whose bucket is in debt is refused (`RATE_LIMITED`, with the seconds
until it is out of debt) before anything runs. With Redis the buckets are
shared by every process and instance; without, each process has its own.

What a process learns of a bucket in debt it remembers until the debt is
paid, so a refused caller costs no store call. Other processes learn it
from their next charge: with N processes a caller can overdraw by at most N
answers, each within `GRAPHQL_MAX_COST`.
"""

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# Callers whose debt a process remembers at most (the least recently refused are forgotten first).
MAX_REMEMBERED_DEBTORS = 10_000
# Buckets a process keeps without Redis (the least recently charged are forgotten: full again).
MAX_LOCAL_BUCKETS = 100_000


@dataclass(frozen=True)
class Balance:
    """Points left after a charge (below zero: a debt) and the seconds until the debt is paid."""

    available: float
    retry_after: float


class BucketStore(Protocol):
    def charge(self, key: str, points: int, *, capacity: int, refill: float) -> Balance: ...


class LocalBuckets:
    """Buckets in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # caller -> (available, at)
        self._lock = threading.Lock()

    def charge(self, key: str, points: int, *, capacity: int, refill: float) -> Balance:
        now = self.clock()
        with self._lock:
            available, at = self._buckets.pop(key, (capacity, now))
            available = min(capacity, available + (now - at) * refill) - points
            self._buckets[key] = (available, now)
            while len(self._buckets) > MAX_LOCAL_BUCKETS:
                self._buckets.popitem(last=False)
        return Balance(available, max(0.0, -available / refill))


# KEYS[1]: the bucket, a hash {available, at}; ARGV: capacity, refill per second, points.
# Answers {available, retry after} as strings (Lua numbers would be truncated to integers).
_REDIS_CHARGE = """
local capacity, refill, points = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
available = math.min(capacity, available + math.max(0, now - at) * refill) - points
redis.call('HSET', KEYS[1], 'available', available, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - available) / refill * 1000) + 1000)
return {tostring(available), tostring(math.max(0, -available / refill))}
"""


class RedisBuckets:
    """Buckets in Redis under `<prefix>:cost:<caller>`; each expires once it would be full again."""

    def __init__(self, *, url: str, prefix: str, timeout_seconds: float) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds)
        self.prefix = prefix
        self._charge = self.client.register_script(_REDIS_CHARGE)

    def charge(self, key: str, points: int, *, capacity: int, refill: float) -> Balance:
        available, retry_after = self._charge(keys=[f"{self.prefix}:cost:{key}"], args=[capacity, refill, points])
        return Balance(float(available), float(retry_after))


class CostLimiter:
    """The buckets of every caller, and the debts this process knows of."""

    def __init__(self, store: BucketStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.clock = clock
        self._debtors: OrderedDict[str, float] = OrderedDict()  # caller -> monotonic time the debt is paid
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return settings.GRAPHQL_COST_REFILL_PER_SECOND > 0

    def retry_after(self, key: str) -> int | None:
        """Seconds until the caller may run an operation again; None when it may now."""
        with self._lock:
            paid_at = self._debtors.get(key)
            if paid_at is None:
                return None
            wait = paid_at - self.clock()
            if wait <= 0:
                del self._debtors[key]
                return None
        return max(1, math.ceil(wait))

    def charge(self, key: str, points: int) -> Balance | None:
        """Takes `points` from the caller's bucket; None when the store cannot be reached (nothing is refused)."""
        capacity, refill = settings.GRAPHQL_COST_BUCKET, settings.GRAPHQL_COST_REFILL_PER_SECOND
        try:
            balance = self.store.charge(key, points, capacity=capacity, refill=refill)
        except redis.RedisError as error:
            logger.warning("Cost buckets unavailable, not limiting: %s", error)
            return None
        if balance.available < 0:
            with self._lock:
                self._debtors[key] = self.clock() + balance.retry_after
                self._debtors.move_to_end(key)
                while len(self._debtors) > MAX_REMEMBERED_DEBTORS:
                    self._debtors.popitem(last=False)
        return balance


_limiter: CostLimiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> CostLimiter:
    """This process's limiter, on Redis when `REDIS_URL` is set."""
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            store: BucketStore = LocalBuckets()
            if settings.REDIS_URL:
                store = RedisBuckets(url=settings.REDIS_URL, prefix=settings.CACHE_KEY_PREFIX, timeout_seconds=1.0)
            _limiter = CostLimiter(store)
        return _limiter
