"""The counter on each real store: Redis (database 15) and the test database.

Every test gets a key prefix of its own, so its count starts at zero, and
the process's counter is rebuilt from the settings it sets.

Tests that need the Redis server at `TEST_REDIS_URL` (marked `redis`, or
using a fixture that does) are skipped with the reason when none answers,
unless `REQUIRE_REDIS=1` (as in CI), which fails them instead.
"""

import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from django.utils.functional import SimpleLazyObject
from redis.backoff import NoBackoff
from redis.retry import Retry

from metrics.counter import shutdown_counter

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_SERVER = "/usr/bin/redis-server"
START_TIMEOUT_SECONDS = 10


# Fixtures that use the Redis server at TEST_REDIS_URL, by name, and by (fixture, parameter).
REDIS_FIXTURES = {"redis_counter", "redis_prefix", "redis_cache"}
REDIS_PARAMETERS = {("counter_store", "redis"), ("make_store", "redis")}


def _redis_problem() -> str | None:
    """Why the test Redis cannot be used; None when it answers."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"no Redis answers at TEST_REDIS_URL={TEST_REDIS_URL} ({error})"
    finally:
        client.close()
    return None


redis_problem = SimpleLazyObject(lambda: _redis_problem() or "")  # asked once a run, when a test needs it


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis: needs the Redis server at TEST_REDIS_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        uses_parameter = any(params.get(fixture) == value for fixture, value in REDIS_PARAMETERS)
        if uses_parameter or REDIS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.redis)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("redis") is None or not str(redis_problem):
        return
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1, but {redis_problem}", pytrace=False)
    pytest.skip(f"Needs Redis: {redis_problem}; start redis-server, or set TEST_REDIS_URL")


@pytest.fixture
def counter_prefix() -> str:
    return f"test-counter-{uuid.uuid4().hex}"


def delete_keys(client: redis.Redis, prefix: str) -> None:
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def redis_counter(settings: Any, counter_prefix: str) -> Iterator[redis.Redis]:
    """The counter on Redis; answers a client of that Redis."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    settings.REQUEST_COUNTER_REDIS_URL = TEST_REDIS_URL
    settings.REQUEST_COUNTER_KEY_PREFIX = counter_prefix
    settings.REQUEST_COUNTER_FLUSH_MS = 10
    yield client
    shutdown_counter()
    delete_keys(client, counter_prefix)
    client.close()


@pytest.fixture
def database_counter(settings: Any, transactional_db: None, counter_prefix: str) -> Iterator[None]:
    """The counter in the test database (committed transactions: the flusher has a connection of its own)."""
    settings.REQUEST_COUNTER_REDIS_URL = ""
    settings.REQUEST_COUNTER_KEY_PREFIX = counter_prefix
    settings.REQUEST_COUNTER_FLUSH_MS = 10
    yield
    shutdown_counter()


@pytest.fixture(params=["redis", "database"])
def counter_store(request: pytest.FixtureRequest) -> str:
    """Runs a test once on each store."""
    request.getfixturevalue(f"{request.param}_counter")
    return request.param


def needs_threads_in_the_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "The in-memory SQLite test database refuses a second writer, so the counter flushes only on reads; "
            "run with DATABASE_URL=postgres://... for flusher threads on the database store."
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, which the test may stop and start; it keeps its data across."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory)]
        command += ["--save", "", "--appendonly", "no", "--dbfilename", "dump.rdb"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        """Stops the server after saving its data, as a restart of a persistent Redis would."""
        assert self.process is not None
        client = redis.Redis(port=self.port, retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.ConnectionError):  # the connection closes as the server exits
            client.shutdown(save=True)
        self.process.wait(timeout=START_TIMEOUT_SECONDS)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if not Path(REDIS_SERVER).exists():
        reason = f"Needs {REDIS_SERVER} to start a Redis server of the test's own (apt-get install redis-server)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1: {reason}", pytrace=False)
        pytest.skip(reason)
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    shutdown_counter()  # while its store still answers
    server.kill()
