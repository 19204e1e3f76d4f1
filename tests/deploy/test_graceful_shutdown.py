"""SIGTERM to one of two instances under load: its in-flight requests finish, its count flushes, none is lost.

Two instances share a PostgreSQL database and the Redis counter. Clients
send /health/ to both the whole time; a few /movies/ requests are held in
the stopping instance by an upstream that answers only once SIGTERM has
been sent. Every request answered, on either instance, is in the count.
"""

import contextlib
import json
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.plugins.request_counter import TEST_REDIS_URL, delete_keys
from tests.plugins.servers import STOP_TIMEOUT_SECONDS, prepare_database, server_env
from tests.plugins.upstreams import upstream_payload

pytestmark = pytest.mark.slow

TIMEOUT = 30
CLIENTS = 8
IN_FLIGHT = 4  # /movies/ requests held in the stopping instance when SIGTERM comes
# The load goes on this long once the stopping instance has exited.
LOAD_AFTER_STOP_SECONDS = 1.0


class GatedUpstream(ThreadingHTTPServer):
    """A movie upstream that holds every request until `release` is set; counts arrivals."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatedHandler)
        self.arrived = threading.Semaphore(0)
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1/maya/movies/"


class GatedHandler(BaseHTTPRequestHandler):
    server: GatedUpstream

    def do_GET(self) -> None:
        self.server.arrived.release()
        self.server.release.wait(TIMEOUT)
        page = int(self.path.rsplit("page=", 1)[-1]) if "page=" in self.path else 1
        body = json.dumps(upstream_payload(count=1000, page=page)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gated_upstream() -> Iterator[GatedUpstream]:
    server = GatedUpstream()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def wait_for_line(log: Path, text: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while text not in log.read_text():
        assert time.monotonic() < deadline, f"{text!r} not in {log}"
        time.sleep(0.01)


def send_load(urls: list[str], stop: threading.Event) -> list[int]:
    """/health/ to each url in turn from `CLIENTS` clients until `stop`; answers the statuses of the answers.

    A request that gets no answer (the instance is gone) is not in the list: it reached no app.
    """

    def client(index: int) -> list[int]:
        statuses = []
        with requests.Session() as session:
            turn = index
            while not stop.is_set():
                turn += 1
                with contextlib.suppress(requests.ConnectionError):
                    statuses.append(session.get(f"{urls[turn % len(urls)]}/health/", timeout=TIMEOUT).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return [status for statuses in pool.map(client, range(CLIENTS)) for status in statuses]


def test_sigterm_drains_in_flight_requests_and_loses_no_count(
    instances: Any, postgres_database: str, counter_prefix: str, gated_upstream: GatedUpstream
) -> None:
    env = server_env(
        database_url=postgres_database,
        counter_redis_url=TEST_REDIS_URL,
        prefix=counter_prefix,
        MOVIES_API_URL=gated_upstream.url,
        MOVIES_API_MAX_ATTEMPTS="1",
        MOVIES_API_READ_TIMEOUT_SECONDS=str(TIMEOUT),
        MOVIES_API_DEADLINE_SECONDS=str(TIMEOUT),
    )
    [token] = prepare_database(env)
    headers = {"Authorization": f"Bearer {token}"}
    staying, stopping = instances(2, env=env, workers=2, threads=4)
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        reset = requests.post(f"{staying.url}/request-count/reset/", headers=headers, timeout=TIMEOUT)
        stop_load = threading.Event()
        with ThreadPoolExecutor(max_workers=1 + IN_FLIGHT) as pool:
            load = pool.submit(send_load, [staying.url, stopping.url], stop_load)
            movies = [
                pool.submit(requests.get, f"{stopping.url}/movies/?page={page}", headers=headers, timeout=TIMEOUT)
                for page in range(1, IN_FLIGHT + 1)
            ]
            for _ in range(IN_FLIGHT):
                assert gated_upstream.arrived.acquire(timeout=TIMEOUT), "a /movies/ request did not reach the upstream"
            stopping.process.send_signal(signal.SIGTERM)
            # The master logs the signal, then passes it on to its workers: their requests are in flight still.
            wait_for_line(stopping.log_path, "Handling signal: term")
            gated_upstream.release.set()
            exit_code = stopping.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            stop_load.wait(LOAD_AFTER_STOP_SECONDS)
            stop_load.set()
            statuses = load.result(timeout=TIMEOUT)
            in_flight = [answer.result(timeout=TIMEOUT).status_code for answer in movies]
        count = requests.get(f"{staying.url}/request-count/", headers=headers, timeout=TIMEOUT)
        processes_left = client.hlen(f"{counter_prefix}:{{request-counter}}:processes")
    finally:
        delete_keys(client, counter_prefix)
        client.close()

    assert reset.status_code == 200
    assert exit_code == 0
    assert in_flight == [200] * IN_FLIGHT
    assert set(statuses) == {200}
    # Every answer, the in-flight ones and the read itself; nothing that was not answered.
    assert count.json() == {"requests": len(statuses) + IN_FLIGHT + 1}
    assert processes_left == 2  # the staying instance's workers; the stopped one's left the barrier
