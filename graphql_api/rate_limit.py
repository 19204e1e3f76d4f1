"""A bucket of cost points per caller, refilled every second (Shopify's model).

Each answer's actual cost is taken from the caller's bucket after it runs; a
caller whose bucket is in debt is refused (`RATE_LIMITED`, with the seconds
until it is out of debt) before anything runs. With Redis the buckets are
shared by every process and instance; without, each process has its own.

What a process learns of a bucket in debt it remembers until the debt is
paid, so a refused caller costs no store call. With Redis, a process sends
its charges together every `REDIS_FLUSH_SECONDS` from a thread of its own
(one round trip for all callers, none on the request path) and learns the
balances in return. It counts its own unsent charges against the balance it
last learned (a full bucket when it knows none); once that estimate falls
below 90 % of the bucket, it charges the caller at once, learning the true
balance each time. A caller who has spent little pays no round trip; near
the limit the buckets are exact: a caller can overdraw only by what other
processes answered it unsent (under a tenth of the bucket each, however late
their flushes run) and by the answers in flight.
"""

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# Callers a process remembers the debt or balance of, at most (the least recently charged are forgotten first).
MAX_REMEMBERED_CALLERS = 10_000
# Buckets a process keeps without Redis (the least recently charged are forgotten: full again).
MAX_LOCAL_BUCKETS = 100_000
# How often a process sends its charges to Redis.
REDIS_FLUSH_SECONDS = 0.02
# Below this share of the bucket (as a process estimates it), charges are sent at once.
CHARGE_AT_ONCE_BELOW = 0.9


@dataclass(frozen=True)
class Balance:
    """Points left after a charge (below zero: a debt) and the seconds until the debt is paid."""

    available: float
    retry_after: float


@dataclass(frozen=True)
class KnownBalance:
    """A balance the store answered, and when (this process's clock)."""

    balance: Balance
    at: float


class BucketStore(Protocol):
    def charge(self, charges: Mapping[str, int], *, capacity: int, refill: float) -> dict[str, Balance]:
        """Takes each caller's points from its bucket; answers the balances."""


class LocalBuckets:
    """Buckets in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # caller -> (available, at)
        self._lock = threading.Lock()

    def charge(self, charges: Mapping[str, int], *, capacity: int, refill: float) -> dict[str, Balance]:
        now = self.clock()
        balances = {}
        with self._lock:
            for key, points in charges.items():
                available, at = self._buckets.pop(key, (capacity, now))
                available = min(capacity, available + (now - at) * refill) - points
                self._buckets[key] = (available, now)
                balances[key] = Balance(available, max(0.0, -available / refill))
            while len(self._buckets) > MAX_LOCAL_BUCKETS:
                self._buckets.popitem(last=False)
        return balances


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

    def charge(self, charges: Mapping[str, int], *, capacity: int, refill: float) -> dict[str, Balance]:
        """One round trip for all the callers (a pipeline of one script call each)."""
        pipeline = self.client.pipeline(transaction=False)
        for key, points in charges.items():
            self._charge(keys=[f"{self.prefix}:cost:{key}"], args=[capacity, refill, points], client=pipeline)
        answers = pipeline.execute()
        return {key: Balance(float(a), float(r)) for key, (a, r) in zip(charges, answers, strict=True)}


class CostLimiter:
    """The buckets of every caller, and the debts this process knows of.

    With `flush_interval`, charges are gathered and sent to the store together
    from a thread of this process's own, that often (seconds).
    """

    def __init__(
        self, store: BucketStore, clock: Callable[[], float] = time.monotonic, flush_interval: float | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.flush_interval = flush_interval
        self._debtors: OrderedDict[str, float] = OrderedDict()  # caller -> when the debt is paid (clock)
        self._balances: OrderedDict[str, KnownBalance] = OrderedDict()  # the latest known, when charges are deferred
        self._pending: dict[str, int] = {}
        self._in_transit: dict[str, int] = {}  # sent, the balances not yet back
        self._lock = threading.Lock()
        self._flusher: threading.Thread | None = None

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

    def _estimate(self, key: str, now: float) -> float:
        """The caller's points as this process can tell: the balance it last learned (a full bucket when
        none), refilled since, less its charges not yet sent or answered (call with the lock)."""
        capacity, refill = settings.GRAPHQL_COST_BUCKET, settings.GRAPHQL_COST_REFILL_PER_SECOND
        known = self._balances.get(key)
        available = capacity if known is None else min(capacity, known.balance.available + (now - known.at) * refill)
        return available - self._pending.get(key, 0) - self._in_transit.get(key, 0)

    def charge(self, key: str, points: int) -> Balance | None:
        """Takes `points` from the caller's bucket; answers its balance (None when unknown).

        Deferred (far from the limit), the charge goes with the next flush and
        the balance is the latest the store answered. If the store cannot be
        reached, nothing is refused.
        """
        if self.flush_interval is None:
            return self._apply({key: points}).get(key)
        with self._lock:
            at_once = self._estimate(key, self.clock()) - points < settings.GRAPHQL_COST_BUCKET * CHARGE_AT_ONCE_BELOW
            if at_once:  # near the limit: the caller's unsent charges go with this one, now
                points += self._pending.pop(key, 0)
            else:
                self._pending[key] = self._pending.get(key, 0) + points
                known = self._balances.get(key)
                if self._flusher is None or not self._flusher.is_alive():  # also after a fork
                    self._flusher = threading.Thread(target=self._flush_forever, name="cost-buckets", daemon=True)
                    self._flusher.start()
        if at_once:
            return self._apply({key: points}).get(key)
        return None if known is None else known.balance

    def flush(self) -> None:
        """Sends the gathered charges to the store."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._in_transit = pending
        try:
            if pending:
                self._apply(pending)
        finally:
            with self._lock:
                self._in_transit = {}

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self.flush_interval)
            self.flush()

    def _apply(self, charges: dict[str, int]) -> dict[str, Balance]:
        capacity, refill = settings.GRAPHQL_COST_BUCKET, settings.GRAPHQL_COST_REFILL_PER_SECOND
        try:
            balances = self.store.charge(charges, capacity=capacity, refill=refill)
        except redis.RedisError as error:
            logger.warning("Cost buckets unavailable, not limiting: %s", error)
            return {}
        now = self.clock()
        with self._lock:
            for key, balance in balances.items():
                if balance.available < 0:
                    _remember(self._debtors, key, now + balance.retry_after)
                if self.flush_interval is not None:
                    _remember(self._balances, key, KnownBalance(balance, now))
        return balances


def _remember(entries: OrderedDict[str, Any], key: str, value: Any) -> None:
    """Sets `key`, forgetting the least recently set entries past `MAX_REMEMBERED_CALLERS`."""
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > MAX_REMEMBERED_CALLERS:
        entries.popitem(last=False)


_limiter: CostLimiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> CostLimiter:
    """This process's limiter: on Redis, with deferred charges, when `REDIS_URL` is set."""
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            if settings.REDIS_URL:
                store = RedisBuckets(url=settings.REDIS_URL, prefix=settings.CACHE_KEY_PREFIX, timeout_seconds=1.0)
                _limiter = CostLimiter(store, flush_interval=REDIS_FLUSH_SECONDS)
            else:
                _limiter = CostLimiter(LocalBuckets())
        return _limiter
