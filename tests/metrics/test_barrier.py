"""The read barrier: a read sees every request counted before it, in every process.

Each `ProcessCounter` here stands for one server process; they share a store.
"""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from metrics.counter import ProcessCounter
from metrics.models import CounterProcess
from metrics.stores import CounterStore, DatabaseStore, RedisStore
from tests.plugins.request_counter import TEST_REDIS_URL, needs_threads_in_the_database

pytestmark = pytest.mark.django_db(transaction=True)

STORE_TIMEOUT_MS = 1000
# Slow enough that a burst is surely still held in its process when the read begins.
SLOW_FLUSH_SECONDS = 0.3
BURST_THREADS = 8
BURST_PER_THREAD = 1000


@pytest.fixture(params=["redis", "database"])
def make_store(request: pytest.FixtureRequest, counter_prefix: str) -> Iterator[Callable[..., CounterStore]]:
    """`make_store(process_timeout_ms=...)`: a store of this test's own count (as another process would open it)."""
    kind = request.param

    def make(*, process_timeout_ms: int = 5000) -> CounterStore:
        if kind == "redis":
            return RedisStore(
                url=TEST_REDIS_URL,
                prefix=counter_prefix,
                timeout_ms=STORE_TIMEOUT_MS,
                process_timeout_ms=process_timeout_ms,
            )
        return DatabaseStore(key=counter_prefix, timeout_ms=STORE_TIMEOUT_MS, process_timeout_ms=process_timeout_ms)

    yield make
    if kind == "redis":
        client = redis.Redis.from_url(TEST_REDIS_URL)
        for key in client.scan_iter(match=f"{counter_prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture
def counters() -> Iterator[Callable[..., ProcessCounter]]:
    """`counters(store, ...)`: a process's counter, closed at the end of the test."""
    made: list[ProcessCounter] = []

    def make(store: CounterStore, *, flush_interval: float = 0.01, threaded: bool = True) -> ProcessCounter:
        counter = ProcessCounter(store=store, flush_interval=flush_interval, process_timeout=5, threaded=threaded)
        made.append(counter)
        return counter

    yield make
    for counter in made:
        counter.close()


def is_registered(store: CounterStore, counter: ProcessCounter) -> bool:
    if isinstance(store, RedisStore):
        return bool(store.client.hexists(store.keys[2], counter.process_id))
    return CounterProcess.objects.filter(process_id=counter.process_id).exists()


def burst(counter: ProcessCounter) -> int:
    """Requests from several threads at once; answers how many."""

    def serve() -> None:
        for _ in range(BURST_PER_THREAD):
            counter.count()

    threads = [threading.Thread(target=serve) for _ in range(BURST_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return BURST_THREADS * BURST_PER_THREAD


@pytest.mark.parametrize("reset", [False, True], ids=["read", "reset"])
def test_a_read_right_after_a_burst_in_another_process_sees_all_of_it(
    make_store: Callable[..., CounterStore], counters: Callable[..., ProcessCounter], reset: bool
) -> None:
    if isinstance(make_store(), DatabaseStore):
        needs_threads_in_the_database()
    writer = counters(make_store(), flush_interval=SLOW_FLUSH_SECONDS)
    writer.start(register=True)
    reader = counters(make_store())

    sent = burst(writer)
    held_when_read_began = writer.held()
    answer = reader.read(reset=reset)

    assert held_when_read_began == sent  # so only the barrier can have brought them
    assert answer == sent
    assert reader.read() == (0 if reset else sent)


def test_a_process_silent_past_the_timeout_is_skipped_and_forgotten(
    make_store: Callable[..., CounterStore], counters: Callable[..., ProcessCounter]
) -> None:
    killed = counters(make_store(), threaded=False)
    killed.flush()  # it joined the barrier...
    for _ in range(5):
        killed.count()  # ...then counted and died before flushing
    store = make_store(process_timeout_ms=300)
    reader = counters(store, threaded=False)

    answer = reader.read()

    assert answer == 0  # what a killed process held is lost
    assert not is_registered(store, killed)


def test_a_process_that_exits_hands_over_its_count_and_leaves(
    make_store: Callable[..., CounterStore], counters: Callable[..., ProcessCounter]
) -> None:
    store = make_store()
    leaving = counters(store, threaded=False)
    leaving.flush()
    for _ in range(5):
        leaving.count()

    leaving.close()

    assert not is_registered(store, leaving)
    assert counters(make_store(), threaded=False).read() == 5


def test_a_flush_retried_after_a_lost_reply_adds_nothing_twice(
    make_store: Callable[..., CounterStore], counters: Callable[..., ProcessCounter]
) -> None:
    store = make_store()
    floor: Any = store.floor
    store.flush(process_id="p", base=0, total=5, covered=floor)
    store.flush(process_id="p", base=0, total=5, covered=floor)  # the same flush again: its reply was lost
    store.flush(process_id="p", base=0, total=7, covered=floor, leave=True)  # 2 more, still unacknowledged

    assert counters(make_store(), threaded=False).read() == 7
