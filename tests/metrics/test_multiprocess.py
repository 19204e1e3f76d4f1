"""The point of it all: under gunicorn, several processes and instances, the count is exact.

Each test starts real servers (4 worker processes x 4 threads each) on
migrated databases of its own, sends 4,000 requests from 32 concurrent
clients and reads the count once.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.plugins.request_counter import TEST_REDIS_URL, delete_keys
from tests.plugins.servers import Instance, manage, prepare_database, server_env

pytestmark = pytest.mark.slow

REQUESTS = 4000
CLIENTS = 32
REQUEST_TIMEOUT_SECONDS = 30
LOAD_TIMEOUT_SECONDS = 180


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


@pytest.mark.redis
def test_two_instances_on_redis_count_every_request_exactly(
    instances: Any, postgres_database: str, counter_prefix: str
) -> None:
    env = server_env(database_url=postgres_database, counter_redis_url=TEST_REDIS_URL, prefix=counter_prefix)
    [token] = prepare_database(env)
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
    [token] = prepare_database(env)
    servers = instances(1, env=env)

    statuses, counts = count_exactly(servers, token)
    servers[0].stop()
    processes_left = manage(
        "shell", "-c", "from metrics.models import CounterProcess; print(CounterProcess.objects.count())", env=env
    )

    assert statuses == [200] * REQUESTS
    assert counts == [REQUESTS + 1]
    assert processes_left.strip().splitlines()[-1] == "0"
