"""gunicorn as deployed (`gunicorn.conf.py`): several instances on one machine, connections kept alive by a proxy."""

import http.client
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.servers import Instance, prepare_database, server_env

pytestmark = pytest.mark.slow

TIMEOUT = 30
# Larger than what gunicorn drains by itself (64 KB), within the app's limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
LARGE_BODY = b"x" * 1_000_000


@pytest.fixture
def server(small_instance: Instance) -> Instance:
    return small_instance


def control_socket(port: int) -> Path:
    return Path.home() / ".gunicorn" / f"gunicorn-127.0.0.1-{port}.ctl"


def test_each_instance_on_the_machine_has_a_control_socket_of_its_own(instances: Any, tmp_path: Path) -> None:
    env = server_env(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", XDG_RUNTIME_DIR="")
    prepare_database(env)
    first, second = instances(2, env=env, workers=1, threads=1)
    sockets = [control_socket(first.port), control_socket(second.port)]

    def answers(path: Path) -> bool:
        with socket.socket(socket.AF_UNIX) as client:
            return client.connect_ex(str(path)) == 0

    running = [answers(path) for path in sockets]
    first.stop()
    after_first_stopped = [path.exists() for path in sockets]

    assert running == [True, True]
    assert after_first_stopped == [False, True]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/collections/", {"Content-Type": "application/json"}, 401),
        ("/graphql/", {"Content-Type": "application/json", "Authorization": "Bearer not-a-token"}, 401),
        ("/register/", {"Content-Type": "text/plain"}, 415),
    ],
)
def test_an_early_answer_to_a_large_body_leaves_the_connection_usable(
    server: Instance, path: str, headers: dict[str, str], status: int
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("POST", path, body=LARGE_BODY, headers=headers)
        early = connection.getresponse()
        early.read()
        connection.request("GET", "/health/")
        next_answer = connection.getresponse()
        next_answer.read()
    finally:
        connection.close()

    assert (early.status, early.getheader("Connection")) == (status, "keep-alive")
    assert next_answer.status == 200
