"""The request count held in each process, its flusher thread and exact reads.

A request costs one `next()` on an `itertools.count`: atomic under the GIL,
so no lock and no store on the request path. A daemon thread per process
flushes the running total to the store every `REQUEST_COUNTER_FLUSH_MS`.

An exact read takes the store's time `since` (with a flush), then waits
until every other live process has recorded a flush whose snapshot was
taken after `since`; only then does it read. A process records as
"covered" the store time answered to its previous call: every request it
counted before that time was in the snapshot it is flushing now.
"""

import atexit
import itertools
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from metrics import prometheus
from metrics.stores import CounterStore, CounterUnavailable, DatabaseStore, RedisStore, StoreTime

logger = logging.getLogger(__name__)

# A waiting read polls the store this many times per flush interval.
POLLS_PER_FLUSH_INTERVAL = 2
# A waiting read polls at least this far apart (seconds).
MIN_POLL_INTERVAL = 0.001
# A read gives up after this many process timeouts: by then every process
# that has not flushed counts as gone, so only a store in trouble gets here.
BARRIER_TIMEOUT_IN_PROCESS_TIMEOUTS = 2


class ProcessCounter:
    """The requests this process counted, flushed by a thread of its own."""

    def __init__(
        self, *, store: CounterStore, flush_interval: float, process_timeout: float, threaded: bool = True
    ) -> None:
        self.store = store
        self.pid = os.getpid()
        # Unique even when a pid is reused, by a restart or in another container.
        self.process_id = f"{socket.gethostname()}:{self.pid}:{secrets.token_hex(4)}"
        self._flush_interval = flush_interval
        self._poll_interval = poll_interval(flush_interval)
        self._barrier_timeout = process_timeout * BARRIER_TIMEOUT_IN_PROCESS_TIMEOUTS
        self._arrivals = itertools.count()
        self._probes = 0  # our own next() calls on _arrivals
        self._acked = 0  # the running total the store has acknowledged
        self._covered = store.floor  # the latest store time answered to this process
        self._recorded = store.floor  # the covered time the store holds for this process
        self._flush_lock = threading.Lock()  # one store call at a time, so covered times follow snapshots
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Without a thread, the count is flushed by reads and at exit only.
        self._started = not threaded
        self._closed = False
        self._failing = False

    def count(self) -> None:
        """Counts one request: the whole cost of the counter on the request path."""
        next(self._arrivals)
        if not self._started:
            self.start()

    def start(self, *, register: bool = False) -> None:
        """Starts the flusher; with `register`, first joins the barrier from the calling thread."""
        with self._start_lock:
            if self._started or self._closed:
                return
            if register:
                try:
                    self.flush()
                except CounterUnavailable:
                    pass  # logged; the flusher retries
                except Exception:
                    logger.exception("Request counter: could not join the barrier; the flusher retries")
            self._thread = threading.Thread(
                target=self._run, kwargs={"tick_first": not register}, name="request-counter", daemon=True
            )
            self._thread.start()
            self._started = True

    def held(self) -> int:
        """Requests counted here that the store has not acknowledged."""
        with self._locked():
            return self._arrived() - self._acked

    def flush(self, *, leave: bool = False) -> StoreTime:
        """Hands the held count to the store (on failure it stays held); answers the store's time."""
        with self._locked():
            return self._flush(leave=leave)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The flush lock, or `CounterUnavailable` when a store call holds it too long."""
        if not self._flush_lock.acquire(timeout=self._barrier_timeout):
            raise CounterUnavailable("A flush of this process is stuck.")
        try:
            yield
        finally:
            self._flush_lock.release()

    def read(self, *, reset: bool = False) -> int:
        """The count of the whole deployment, every request counted before this call included.

        With `reset`, clears the count and answers what it cleared.
        """
        self.start()
        deadline = time.monotonic() + self._barrier_timeout
        since = None  # the first attempt's store time: no separate call to take it
        while True:
            with self._locked():
                total, covered = self._arrived(), self._covered
                with self._watch():
                    attempt = self.store.try_read(
                        process_id=self.process_id,
                        base=self._acked,
                        total=total,
                        covered=covered,
                        since=since,
                        reset=reset,
                    )
                self._acknowledge(total=total, covered=covered, now=attempt.now)
            if attempt.count is not None:
                return attempt.count
            since = since or attempt.now
            if time.monotonic() > deadline:
                raise CounterUnavailable("A process of the deployment did not flush in time.")
            time.sleep(self._poll_interval)

    def close(self, *, hand_over: bool = True) -> None:
        """Stops the flusher; with `hand_over`, flushes the held count and leaves the barrier."""
        with self._start_lock:
            self._closed = True
            thread = self._thread
        self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self._barrier_timeout)
        if not hand_over or (thread is None and self._covered == self.store.floor and self.held() == 0):
            return  # nothing to do, or never met the store
        try:
            self.flush(leave=True)
        except CounterUnavailable:
            logger.exception("Request counter: this process's held count is lost")

    def _run(self, *, tick_first: bool) -> None:
        if tick_first:
            self._tick()
        while not self._stop.wait(self._flush_interval):
            self._tick()
        self.store.release()

    def _tick(self) -> None:
        try:
            with self._flush_lock:
                if self._arrived() == self._acked and not self.store.heartbeats_always:
                    prometheus.counter_synced.set_to_current_time()  # nothing held: the store has it all
                    wanted, now = self.store.barrier_wanted(recorded=self._recorded)
                    if now is not None:
                        self._covered = max(self._covered, now)
                    if not wanted:
                        return
                self._flush()
        except CounterUnavailable:
            self.store.release()  # a broken connection reconnects on the next tick
        except Exception:
            if not self._failing:
                self._failing = True
                logger.exception("Request counter: flush failed; holding the count")
            self.store.release()

    def _flush(self, *, leave: bool = False) -> StoreTime:
        total, covered = self._arrived(), self._covered
        with self._watch():
            now = self.store.flush(
                process_id=self.process_id, base=self._acked, total=total, covered=covered, leave=leave
            )
        self._acknowledge(total=total, covered=covered, now=now)
        return now

    def _acknowledge(self, *, total: int, covered: StoreTime, now: StoreTime) -> None:
        if self._failing:
            self._failing = False
            logger.info("Request counter: the store is back; flushed %d held requests", total - self._acked)
        self._acked = total
        self._recorded = covered
        self._covered = max(self._covered, now)
        prometheus.counter_synced.set_to_current_time()

    @contextmanager
    def _watch(self) -> Iterator[None]:
        """Logs the start of an outage once (not on every tick)."""
        try:
            yield
        except CounterUnavailable:
            if not self._failing:
                self._failing = True
                logger.warning("Request counter: the store is unavailable; holding the count", exc_info=True)
            raise

    def _arrived(self) -> int:
        """The running total of requests counted here (call with the flush lock held)."""
        calls = next(self._arrivals)  # how many next() calls came before this one: requests' and ours
        self._probes += 1
        return calls - (self._probes - 1)


class SyncCounter:
    """`REQUEST_COUNTER_FLUSH_MS=0`: one store write per request, on the request path.

    Also the reader of a process that does not count (`REQUEST_COUNTER_ENABLED=false`).
    """

    def __init__(self, *, store: CounterStore, flush_interval: float, process_timeout: float) -> None:
        self.store = store
        self.pid = os.getpid()
        self._poll_interval = poll_interval(flush_interval)
        self._barrier_timeout = process_timeout * BARRIER_TIMEOUT_IN_PROCESS_TIMEOUTS
        self._lock = threading.Lock()
        self._held = 0  # requests whose write failed; they go with the next write

    def count(self) -> None:
        amount = 1 + self._take_held()
        try:
            self.store.add(amount=amount)
        except CounterUnavailable:
            self._give_back(amount)

    def start(self, *, register: bool = False) -> None:
        pass

    def held(self) -> int:
        return self._held

    def read(self, *, reset: bool = False) -> int:
        """As `ProcessCounter.read`; this process is not one a barrier waits for."""
        deadline = time.monotonic() + self._barrier_timeout
        self._add_held()
        floor, since = self.store.floor, None
        while True:
            attempt = self.store.try_read(process_id=None, base=0, total=0, covered=floor, since=since, reset=reset)
            if attempt.count is not None:
                return attempt.count
            since = since or attempt.now
            if time.monotonic() > deadline:
                raise CounterUnavailable("A process of the deployment did not flush in time.")
            time.sleep(self._poll_interval)

    def close(self, *, hand_over: bool = True) -> None:
        if not hand_over:
            return
        try:
            self._add_held()
        except CounterUnavailable:
            logger.error("Request counter: %d requests were lost with this process", self._held)

    def _add_held(self) -> None:
        if held := self._take_held():
            try:
                self.store.add(amount=held)
            except CounterUnavailable:
                self._give_back(held)
                raise

    def _take_held(self) -> int:
        if not self._held:
            return 0
        with self._lock:
            held, self._held = self._held, 0
        return held

    def _give_back(self, amount: int) -> None:
        with self._lock:
            self._held += amount


def poll_interval(flush_interval: float) -> float:
    return max(flush_interval / POLLS_PER_FLUSH_INTERVAL, MIN_POLL_INTERVAL)


Counter = ProcessCounter | SyncCounter

_counter: Counter | None = None
_counter_lock = threading.Lock()


def build_store() -> CounterStore:
    """The store the settings choose: Redis when a URL is set, the database otherwise."""
    if settings.REQUEST_COUNTER_REDIS_URL:
        return RedisStore(
            url=settings.REQUEST_COUNTER_REDIS_URL,
            prefix=settings.REQUEST_COUNTER_KEY_PREFIX,
            timeout_ms=settings.REQUEST_COUNTER_STORE_TIMEOUT_MS,
            process_timeout_ms=settings.REQUEST_COUNTER_PROCESS_TIMEOUT_MS,
        )
    return DatabaseStore(
        key=settings.REQUEST_COUNTER_KEY_PREFIX,
        timeout_ms=settings.REQUEST_COUNTER_STORE_TIMEOUT_MS,
        process_timeout_ms=settings.REQUEST_COUNTER_PROCESS_TIMEOUT_MS,
    )


def count_request() -> None:
    """Counts one request: the request path, so no system call and no lock.

    `os.register_at_fork` (below) gives a forked worker a counter of its own.
    """
    (_counter or _build_counter()).count()


def get_counter() -> Counter:
    """This process's counter, built on first use (so after a server forks its workers).

    Also checks the pid, in case a fork bypassed `os.fork()` and its hooks.
    """
    counter = _counter
    if counter is not None and counter.pid == os.getpid():
        return counter
    return _build_counter()


def _build_counter() -> Counter:
    global _counter
    with _counter_lock:
        if _counter is None or _counter.pid != os.getpid():
            store = build_store()
            flush_interval = settings.REQUEST_COUNTER_FLUSH_MS / 1000
            process_timeout = settings.REQUEST_COUNTER_PROCESS_TIMEOUT_MS / 1000
            kwargs = {"store": store, "flush_interval": flush_interval, "process_timeout": process_timeout}
            if settings.REQUEST_COUNTER_ENABLED and flush_interval > 0:
                _counter = ProcessCounter(**kwargs, threaded=not _private_to_connection(store))
            else:
                _counter = SyncCounter(**kwargs)
        return _counter


def _private_to_connection(store: CounterStore) -> bool:
    """An in-memory SQLite database belongs to one connection (or, shared, refuses a second writer
    instead of waiting): a flusher thread, with a connection of its own, cannot use it. Nor can
    another process, so this process's reads, which flush its count first, are exact without one."""
    return isinstance(store, DatabaseStore) and connection.vendor == "sqlite" and connection.is_in_memory_db()


def start_counter() -> None:
    """Joins the barrier and starts flushing now (gunicorn's `post_worker_init`), not on the first request."""
    if settings.REQUEST_COUNTER_ENABLED:
        get_counter().start(register=True)


def shutdown_counter(*, hand_over: bool = True) -> None:
    """Stops this process's counter (gunicorn's `worker_exit`, `atexit`); the next count builds a new one.

    With `hand_over`, first flushes what it holds and leaves the barrier;
    without, forgets its count and writes nothing.
    """
    global _counter
    with _counter_lock:
        counter, _counter = _counter, None
    if counter is not None and counter.pid == os.getpid():
        counter.close(hand_over=hand_over)


def _forget_counter_after_fork() -> None:
    # The parent's count is the parent's: the child starts from zero, with its own thread.
    global _counter, _counter_lock
    _counter = None
    _counter_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_counter_after_fork)
atexit.register(shutdown_counter)
