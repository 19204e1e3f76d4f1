"""The point of it all: under gunicorn, several processes and instances, the count is exact.

Each test starts real servers (4 worker processes x 4 threads each) on
migrated databases of its own, sends 4,000 requests from 32 concurrent
clients and reads the count once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests

from tests.plugins.request_counter import TEST_REDIS_URL, delete_keys, free_port

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
WORKERS = 4
THREADS = 4
REQUESTS = 4000
CLIENTS = 32
BOOT_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30
LOAD_TIMEOUT_SECONDS = 180
STOP_TIMEOUT_SECONDS = 30
SECRET = "multiprocess-test-secret-key-long-enough-for-hs256"


def server_env(*, database_url: str, counter_redis_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "REQUEST_COUNTER_REDIS_URL": counter_redis_url,
        "REQUEST_COUNTER_KEY_PREFIX": prefix,
        "REQUEST_COUNTER_ENABLED": "true",
        "REQUEST_COUNTER_FLUSH_MS": "10",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=BOOT_TIMEOUT_SECONDS,
        check=True,
    )
    return result.stdout


def prepare_database(env: dict[str, str]) -> str:
    """Migrates the database and answers an access token of a user in it."""
    script = (
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from django.contrib.auth import get_user_model\n"
        "from accounts.services import tokens_for_user\n"
        "user = get_user_model().objects.create_user('counter-reader')\n"
        "print(tokens_for_user(user=user).access_token)\n"
    )
    return manage("shell", "-c", script, env=env).strip().splitlines()[-1]


class Instance:
    """One deployment instance: a gunicorn master and its workers on a port of their own."""

    def __init__(self, *, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS), "--threads", str(THREADS)]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        with requests.Session() as session:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"gunicorn exited; see {self.log.name}"
                try:
                    if session.get(f"{self.url}/health/", timeout=REQUEST_TIMEOUT_SECONDS).status_code == 200:
                        return
                except requests.ConnectionError:
                    pass
                time.sleep(0.1)
        raise AssertionError(f"gunicorn on port {self.port} did not answer in time; see {self.log.name}")

    def stop(self) -> None:
        """A graceful stop: every worker flushes and leaves (gunicorn's `worker_exit`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[Any]:
    """`instances(count, env=...)`: started and ready; stopped at the end."""
    started: list[Instance] = []

    def start(count: int, *, env: dict[str, str]) -> list[Instance]:
        new = [Instance(env=env, log=tmp_path / f"gunicorn-{len(started) + i}.log") for i in range(count)]
        started.extend(new)
        for instance in new:
            instance.wait_until_ready()
        return new

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this test's own; answers its URL."""
    name = f"metrics_mp_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable ({error}); set TEST_POSTGRES_URL")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def send_load(urls: list[str]) -> list[int]:
    """`REQUESTS` GETs of /health/ from `CLIENTS` concurrent clients, spread over `urls`; answers the statuses."""
    per_client = REQUESTS // CLIENTS

    def client(index: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.get(f"{urls[(index + i) % len(urls)]}/health/", timeout=REQUEST_TIMEOUT_SECONDS).status_code
                for i in range(per_client)
            ]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = pool.map(client, range(CLIENTS), timeout=LOAD_TIMEOUT_SECONDS)
        return [status for statuses in results for status in statuses]


def count_exactly(instances: list[Instance], token: str) -> tuple[list[int], list[int]]:
    """Resets the count, sends the load, reads the count on each instance; answers (statuses, counts)."""
    headers = {"Authorization": f"Bearer {token}"}
    reset = requests.post(f"{instances[0].url}/request-count/reset/", headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
    assert reset.status_code == 200, reset.text
    statuses = send_load([instance.url for instance in instances])
    counts = []
    for instance in instances:
        response = requests.get(f"{instance.url}/request-count/", headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
        assert response.status_code == 200, response.text
        counts.append(response.json()["requests"])
    return statuses, counts


def test_two_instances_on_redis_count_every_request_exactly(
    instances: Any, postgres_database: str, counter_prefix: str
) -> None:
    env = server_env(database_url=postgres_database, counter_redis_url=TEST_REDIS_URL, prefix=counter_prefix)
    token = prepare_database(env)
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        servers = instances(2, env=env)
        statuses, counts = count_exactly(servers, token)
        for server in servers:
            server.stop()
        processes_left = client.hlen(f"{counter_prefix}:{{request-counter}}:processes")
    finally:
        delete_keys(client, counter_prefix)
        client.close()

    assert statuses == [200] * REQUESTS
    # Each read counts itself: the first sees the load and itself, the second one more.
    assert counts == [REQUESTS + 1, REQUESTS + 2]
    assert processes_left == 0  # every worker left the barrier as it exited


@pytest.fixture
def counter_database(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The database the settings of this run name: PostgreSQL (a database of its own) or a SQLite file."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        return request.getfixturevalue("postgres_database")
    return f"sqlite:///{tmp_path / 'counter.sqlite3'}"


def test_one_instance_on_the_database_counts_every_request_exactly(
    instances: Any, counter_database: str, counter_prefix: str
) -> None:
    env = server_env(database_url=counter_database, counter_redis_url="", prefix=counter_prefix)
    token = prepare_database(env)
    servers = instances(1, env=env)

    statuses, counts = count_exactly(servers, token)
    servers[0].stop()
    processes_left = manage(
        "shell", "-c", "from metrics.models import CounterProcess; print(CounterProcess.objects.count())", env=env
    )

    assert statuses == [200] * REQUESTS
    assert counts == [REQUESTS + 1]
    assert processes_left.strip().splitlines()[-1] == "0"
