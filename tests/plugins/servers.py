"""Real servers for the tests that need them: gunicorn instances on databases of their own (a pytest plugin)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from tests.plugins.request_counter import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BOOT_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 30
SECRET = "multiprocess-test-secret-key-long-enough-for-hs256"


def server_env(*, database_url: str, counter_redis_url: str = "", prefix: str = "", **more: str) -> dict[str, str]:
    """The environment of a server of a test's own: its database, its counter, `more` settings."""
    return {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "REQUEST_COUNTER_REDIS_URL": counter_redis_url,
        "REQUEST_COUNTER_KEY_PREFIX": prefix or f"test-{uuid.uuid4().hex}",
        "REQUEST_COUNTER_ENABLED": "true",
        "REQUEST_COUNTER_FLUSH_MS": "10",
        "LOG_LEVEL": "WARNING",
        **more,
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


def prepare_database(env: dict[str, str], users: int = 1) -> list[str]:
    """Migrates the database and answers access tokens of `users` new users in it."""
    script = (
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from django.contrib.auth import get_user_model\n"
        "from accounts.services import tokens_for_user\n"
        f"for index in range({users}):\n"
        "    user = get_user_model().objects.create_user(f'server-user-{index}')\n"
        "    print(tokens_for_user(user=user).access_token)\n"
    )
    return manage("shell", "-c", script, env=env).strip().splitlines()[-users:]


class Instance:
    """One deployment instance: a gunicorn master and its workers on a port of their own."""

    def __init__(self, *, env: dict[str, str], log: Path, workers: int = 4, threads: int = 4) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("w")
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads)]
        # As behind a proxy: gunicorn's 2 s would let a worker stalled on a loaded machine close a kept-alive
        # connection the instant a client sends on it, which the client sees as a dropped request.
        command += ["--keep-alive", "30"]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def worker_pids(self) -> list[int]:
        """The pids of the master's children (its workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

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
    """`instances(count, env=..., workers=4, threads=4)`: started and ready; stopped at the end."""
    started: list[Instance] = []

    def start(count: int, *, env: dict[str, str], **options: int) -> list[Instance]:
        logs = [tmp_path / f"gunicorn-{len(started) + i}.log" for i in range(count)]
        new = [Instance(env=env, log=log, **options) for log in logs]
        started.extend(new)
        for instance in new:
            instance.wait_until_ready()
        return new

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture
def small_instance(instances: Any, tmp_path: Path) -> Instance:
    """One instance on a migrated SQLite file of its own, one worker of 4 threads, as a small deployment runs."""
    env = server_env(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    prepare_database(env)
    [instance] = instances(1, env=env, workers=1, threads=4)
    return instance


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
