"""`make prod-local` (deploy/local.py): the README's production topology, driven as a client would.

One deployment for the module, on ports, a database and Redis keys of its
own: nginx in front of two instances of 1 worker x 2 threads each (four
threads in all, fewer than the slow-body attack's ten connections). The
last test stops it and checks that nothing it started is left running.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from django.conf import settings

from tests.plugins.request_counter import TEST_REDIS_URL, delete_keys, free_port
from tests.plugins.servers import POSTGRES_URL, STOP_TIMEOUT_SECONDS
from tests.plugins.upstreams import demo_page_body

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 30
START_TIMEOUT_SECONDS = 180
REQUESTS = 300
CLIENTS = 6
SLOW_BODY_CONNECTIONS = 10
SLOW_BODY_BYTES = 6  # one every SLOW_BODY_INTERVAL: the attack lasts about 12 s
SLOW_BODY_INTERVAL = 2
# A /health/ answer within this long counts as answered while the attack runs.
PROBE_TIMEOUT = 5
MOVIE = {
    "uuid": "3f2c1c1e-1b1a-4c8e-9a55-2b7f6c1d0a01",
    "title": "Heat",
    "description": "A heist.",
    "genres": "Crime,Drama",
}


@dataclass
class Deployment:
    url: str
    args: list[str]
    env: dict[str, str]
    run_dir: Path

    def command(self, name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "deploy.local", name, *self.args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS,
            check=False,
        )

    def pids(self) -> list[int]:
        """Every process the deployment runs: nginx, the instances, the upstream, and their workers."""
        files = [*(self.run_dir / "pids").glob("*.pid"), self.run_dir / "nginx/nginx.pid"]
        masters = [int(path.read_text()) for path in files if path.exists()]
        return masters + [child for pid in masters for child in children(pid)]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def is_running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.fixture(scope="module")
def deployment(nginx_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    database = f"prod_local_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable ({error}); set TEST_POSTGRES_URL")
    prefix = f"test-prod-local-{uuid.uuid4().hex}"
    port, app_one, app_two, upstream = (free_port() for _ in range(4))
    run_dir = tmp_path_factory.mktemp("prod-local")
    env = {name: value for name, value in os.environ.items() if name not in ("SECRET_KEY", "MOVIES_API_URL")}
    env |= {
        "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}",
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "REQUEST_COUNTER_KEY_PREFIX": prefix,
    }
    args = ["--run-dir", str(run_dir), "--port", str(port), "--app-ports", f"{app_one},{app_two}"]
    args += ["--upstream-port", str(upstream), "--workers", "1", "--threads", "2"]
    deployed = Deployment(url=f"http://127.0.0.1:{port}", args=args, env=env, run_dir=run_dir)
    started = deployed.command("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield deployed
    finally:
        deployed.command("stop")
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(TEST_REDIS_URL)
        delete_keys(client, prefix)
        client.close()


@pytest.fixture(scope="module")
def token(deployment: Deployment) -> str:
    credentials = {"username": "prod-local-user", "password": "a-long-passphrase"}
    response = requests.post(f"{deployment.url}/register/", json=credentials, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def request_count(deployment: Deployment, token: str) -> int:
    response = requests.get(f"{deployment.url}/request-count/", headers=bearer(token), timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["requests"]


def test_the_readme_api_flow_works_through_nginx(deployment: Deployment) -> None:
    api = deployment.url
    credentials = {"username": "alice", "password": "a-long-passphrase"}
    registered = requests.post(f"{api}/register/", json=credentials, timeout=TIMEOUT)
    tokens = requests.post(f"{api}/token/", json=credentials, timeout=TIMEOUT)
    auth = bearer(tokens.json()["access_token"])
    movies = requests.get(f"{api}/movies/?page=2", headers=auth, timeout=TIMEOUT)
    body = {"title": "Weekend", "description": "Films for Saturday", "movies": [MOVIE]}
    created = requests.post(f"{api}/collections/", json=body, headers=auth, timeout=TIMEOUT)
    collection = f"{api}/collections/{created.json()['collection_uuid']}/"
    listed = requests.get(f"{api}/collections/", headers=auth, timeout=TIMEOUT)
    fetched = requests.get(collection, headers=auth, timeout=TIMEOUT)
    deleted = requests.delete(collection, headers=auth, timeout=TIMEOUT)
    gone = requests.get(collection, headers=auth, timeout=TIMEOUT)
    count = requests.get(f"{api}/request-count/", headers=auth, timeout=TIMEOUT)

    assert registered.status_code == 201
    assert set(registered.json()) == {"access_token", "refresh_token"}
    assert tokens.status_code == 200
    # Links name nginx's address: the Host header and the scheme came through.
    assert (movies.status_code, movies.json()) == (200, demo_page_body(2, host=api))
    assert created.status_code == 201
    assert listed.status_code == 200
    assert listed.json()["data"]["favourite_genres"] == "Crime, Drama"
    assert [item["title"] for item in listed.json()["data"]["collections"]] == ["Weekend"]
    assert (fetched.status_code, fetched.json()["title"], fetched.json()["movies"]) == (200, "Weekend", [MOVIE])
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert count.status_code == 200
    assert count.json()["requests"] >= 9


def test_nginx_serves_the_static_files_without_asking_an_instance(deployment: Deployment, token: str) -> None:
    path = "admin/css/base.css"
    before = request_count(deployment, token)
    answers = [requests.get(f"{deployment.url}/static/{path}", timeout=TIMEOUT) for _ in range(3)]
    after = request_count(deployment, token)

    assert [answer.status_code for answer in answers] == [200] * 3
    assert answers[0].content == (Path(settings.STATIC_ROOT) / path).read_bytes()
    assert after == before + 1  # the second read counts itself, the static files nothing


def test_a_body_over_the_apps_limit_is_refused_by_nginx_as_a_problem_document(deployment: Deployment) -> None:
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    headers = {"Content-Type": "application/json"}

    response = requests.post(f"{deployment.url}/register/", data=body, headers=headers, timeout=TIMEOUT)

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Request Entity Too Large",
        "status": 413,
        "detail": "The request body is too large.",
    }


def test_the_count_is_exact_across_both_instances(deployment: Deployment, token: str) -> None:
    reset = requests.post(f"{deployment.url}/request-count/reset/", headers=bearer(token), timeout=TIMEOUT)
    access_log = deployment.run_dir / "nginx/logs/access.log"
    log_start = access_log.stat().st_size

    def client(_: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.get(f"{deployment.url}/health/", timeout=TIMEOUT).status_code
                for _ in range(REQUESTS // CLIENTS)
            ]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for statuses in pool.map(client, range(CLIENTS)) for status in statuses]
    count = request_count(deployment, token)
    with access_log.open() as log:
        log.seek(log_start)
        upstreams = {line.split("upstream=")[1].split()[0] for line in log if '"GET /health/ ' in line}

    assert reset.status_code == 200
    assert statuses == [200] * REQUESTS
    assert count == REQUESTS + 1  # and the read itself
    assert len(upstreams) == 2, upstreams  # both instances answered


def slow_body_attack(url: str, stop: threading.Event) -> list[bytes]:
    """Ten requests that each declare a body and send it one byte every 2 s; answers what each received."""
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST /collections/ HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n"
    ).encode()
    attackers = [socket.create_connection((host, int(port)), timeout=TIMEOUT) for _ in range(SLOW_BODY_CONNECTIONS)]
    try:
        for attacker in attackers:
            attacker.sendall(head)
        for _ in range(SLOW_BODY_BYTES):
            for attacker in attackers:
                attacker.sendall(b" ")
            if stop.wait(SLOW_BODY_INTERVAL):
                break
        received = []
        for attacker in attackers:
            attacker.setblocking(False)
            try:
                received.append(attacker.recv(1024))
            except BlockingIOError:
                received.append(b"")
        return received
    finally:
        for attacker in attackers:
            attacker.close()


def test_a_slow_body_attack_leaves_health_answering(deployment: Deployment) -> None:
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        attack = pool.submit(slow_body_attack, deployment.url, stop)
        probes: list[int | str] = []
        with requests.Session() as session:
            while not attack.done():
                try:
                    probes.append(session.get(f"{deployment.url}/health/", timeout=PROBE_TIMEOUT).status_code)
                except requests.Timeout:
                    probes.append("timeout")
                    stop.set()
                time.sleep(0.2)
        received = attack.result()

    assert len(probes) > SLOW_BODY_BYTES
    assert set(probes) == {200}
    # nginx still waits for the bodies: none of them reached an instance, none was answered.
    assert received == [b""] * SLOW_BODY_CONNECTIONS


def test_stop_stops_everything_it_started(deployment: Deployment) -> None:
    """Runs last in this module: it stops the module's deployment."""
    running = deployment.command("status")
    pids = deployment.pids()

    stopped = deployment.command("stop")
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while any(is_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)  # workers leave just after their master answered the signal
    after = deployment.command("status")

    assert running.returncode == 0, running.stdout
    assert len(pids) >= 1 + 2 * 2 + 1 + 1  # nginx, two instances of master and worker, the upstream, nginx's worker
    assert stopped.returncode == 0, stopped.stderr
    assert [pid for pid in pids if is_running(pid)] == []
    assert after.returncode == 3
    assert (deployment.run_dir / "secret-key").stat().st_mode & 0o777 == 0o600
