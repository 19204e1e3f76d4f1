"""The logs: one JSON object per line, a request id on each, one access line per request, no secrets.

The first tests run `manage.py shell` in a process of its own, so the
project's own `LOGGING` writes to a real stderr; the others capture every
record the app logs in the test process, formatted as production writes it.
"""

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.logging import JsonFormatter, RequestIdFilter
from movies.demo_upstream import MOVIES_PATH

REPO = Path(__file__).resolve().parents[2]
FRESH_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
JUNK = (
    "from django.test import Client\n"
    "client = Client()\n"
    "answers = [client.get('/health/', HTTP_HOST='evil-%d.example' % i + 'x' * 2000) for i in range(3)]\n"
    "answers.append(client.head('/health/?password=in-the-query', HTTP_HOST='localhost'))\n"
    "print([answer.status_code for answer in answers])\n"
)
# Longer than any access line of a junk request may be.
SHORT_LINE = 400


def run_shell(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ},
        "SECRET_KEY": "logging-test-secret-key-long-enough-for-the-checks",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REQUEST_COUNTER_ENABLED": "false",
        **env,
    }
    # Migrated, or /health/ would answer 503 (migrations pending).
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=REPO, env=environment, capture_output=True, timeout=120, check=True)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_forged_hosts_and_head_log_one_short_json_line_each(tmp_path):
    result = run_shell(tmp_path, JUNK)

    # Python's warnings (WhiteNoise: no STATIC_ROOT in a checkout) go to stderr too; log lines are objects.
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert result.stdout.strip().splitlines()[-1] == "[400, 400, 400, 200]"
    assert [(r["level"], r["logger"], r["method"], r["path"], r["status"]) for r in records] == [
        *[("WARNING", "backend.access", "GET", "/health/", 400)] * 3,
        ("INFO", "backend.access", "HEAD", "/health/", 200),
    ]
    assert [r.get("suspicious") for r in records] == ["DisallowedHost"] * 3 + [None]
    assert max(len(line) for line in lines) < SHORT_LINE
    assert "evil-" not in result.stderr
    assert "in-the-query" not in result.stderr
    assert "Traceback" not in result.stderr


def test_with_debug_on_the_lines_are_plain_text(tmp_path):
    script = (
        "from django.test import Client\nClient().get('/health/', HTTP_HOST='localhost', HTTP_X_REQUEST_ID='trace-1')\n"
    )

    result = run_shell(tmp_path, script, DEBUG="true")

    [line] = [line for line in result.stderr.splitlines() if "backend.access" in line]
    assert re.fullmatch(r"\S+ \S+ INFO backend.access \[trace-1\] GET /health/ 200 [0-9.]+ms user=-", line)


@pytest.fixture
def captured_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every record any logger of the app emits (DEBUG and up), as production writes it; `()` parses the lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def records() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    records.text = stream.getvalue  # type: ignore[attr-defined]
    yield records
    root.removeHandler(handler)
    root.setLevel(level)


def access_lines(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if record["logger"] == "backend.access"]


@pytest.mark.django_db
def test_a_well_formed_request_id_is_kept_echoed_and_logged(api_client, captured_logs):
    response = api_client.get("/health/", HTTP_X_REQUEST_ID="edge-7f3a.1_B")

    [line] = access_lines(captured_logs())
    assert response["X-Request-ID"] == "edge-7f3a.1_B"
    assert line["request_id"] == "edge-7f3a.1_B"


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["x" * 65, "a b", "id\nforged line", "ünïcode", ""])
def test_a_malformed_request_id_is_replaced_by_a_fresh_one(api_client, captured_logs, given):
    response = api_client.get("/health/", HTTP_X_REQUEST_ID=given)

    [line] = access_lines(captured_logs())
    assert FRESH_REQUEST_ID.fullmatch(response["X-Request-ID"])
    assert line["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id(auth_client, fake_upstream, captured_logs):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)

    response = auth_client.get("/movies/?page=1")

    records = [r for r in captured_logs() if r["logger"] != "werkzeug"]  # the fake upstream's own thread
    warnings = [r for r in records if r["logger"] == "movies.client" and r["level"] == "WARNING"]
    assert response.status_code == 503
    assert len(warnings) == 3  # one per attempt (MOVIES_API_MAX_ATTEMPTS)
    assert {r.get("request_id") for r in records} == {response["X-Request-ID"]}


@pytest.mark.django_db
def test_the_access_line_names_method_path_status_duration_and_user(user, auth_client, captured_logs):
    auth_client.get("/request-count/?secret=in-the-query")
    auth_client.post("/graphql/", {"query": "{ me { username } }"}, format="json")
    APIClient().get("/collections/")
    APIClient().get("/no/such/path")
    APIClient().post("/graphql/", {"query": "{ me { username } }"}, format="json", HTTP_AUTHORIZATION="Bearer bad")

    lines = access_lines(captured_logs())
    assert [(r["method"], r["path"], r["status"], r["user_id"]) for r in lines] == [
        ("GET", "/request-count/", 200, str(user.pk)),
        ("POST", "/graphql/", 200, str(user.pk)),
        ("GET", "/collections/", 401, None),
        ("GET", "/no/such/path", 404, None),
        ("POST", "/graphql/", 401, None),
    ]
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in lines)
    assert lines[0]["message"] == f"GET /request-count/ 200 {lines[0]['duration_ms']:.1f}ms user={user.pk}"


PASSWORD = "log-test-passphrase-Zq83"
WRONG_PASSWORD = "log-test-wrong-passphrase-Kx51"
UPSTREAM_USERNAME = "upstream-user-Yt62"
UPSTREAM_PASSWORD = "upstream-password-Pw47"
REGISTER = "mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { accessToken refreshToken } }"
OBTAIN = "mutation ($u: String!, $p: String!) { obtainToken(username: $u, password: $p) { accessToken refreshToken } }"
REFRESH = "mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"


@pytest.mark.django_db
def test_no_password_token_or_upstream_credential_is_ever_logged(api_client, fake_upstream, settings, captured_logs):
    settings.MOVIES_API_USERNAME, settings.MOVIES_API_PASSWORD = UPSTREAM_USERNAME, UPSTREAM_PASSWORD
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)
    credentials = {"username": "alice", "password": PASSWORD}
    secrets = [PASSWORD, WRONG_PASSWORD, UPSTREAM_USERNAME, UPSTREAM_PASSWORD]
    secrets.append(base64.b64encode(f"{UPSTREAM_USERNAME}:{UPSTREAM_PASSWORD}".encode()).decode())

    registered = api_client.post("/register/", credentials, format="json").json()
    obtained = api_client.post("/token/", credentials, format="json").json()
    api_client.post("/token/", {**credentials, "password": WRONG_PASSWORD}, format="json")
    refreshed = api_client.post("/token/refresh/", {"refresh_token": obtained["refresh_token"]}, format="json").json()
    api_client.post("/token/refresh/", {"refresh_token": obtained["refresh_token"]}, format="json")  # revoked: 401
    graphql = [
        api_client.post("/graphql/", {"query": query, "variables": variables}, format="json").json()["data"]
        for query, variables in [
            (REGISTER, {"u": "bob", "p": PASSWORD}),
            (OBTAIN, {"u": "bob", "p": PASSWORD}),
            (OBTAIN, {"u": "bob", "p": WRONG_PASSWORD}),
        ]
    ]
    graphql_refreshed = api_client.post(
        "/graphql/", {"query": REFRESH, "variables": {"t": graphql[1]["obtainToken"]["refreshToken"]}}, format="json"
    ).json()["data"]["refreshToken"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}")
    movies = api_client.get("/movies/?page=1")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}tampered")
    api_client.get("/collections/")

    secrets += [*registered.values(), *obtained.values(), *refreshed.values(), *graphql_refreshed.values()]
    secrets += [*graphql[0]["register"].values(), *graphql[1]["obtainToken"].values()]
    logged = captured_logs.text()
    statuses = [r["status"] for r in access_lines(captured_logs())]
    assert statuses == [201, 200, 401, 200, 401, 200, 200, 200, 200, 503, 401]
    assert movies.status_code == 503
    assert "Movie catalog page 1, attempt 3/3 failed: HTTP 500" in logged
    assert [secret for secret in secrets if secret in logged] == []
    assert len(secrets) == 17
