"""The deployment files stay valid and agree with each other and with the settings.

No Docker engine runs here: nginx checks its configuration (`nginx -t`),
and compose.yaml and the Dockerfile are read and cross-checked.
"""

import re
import runpy
import shlex
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from deploy import local, nginx

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["app-1", "app-2"]
DOCKERFILE = (REPO / "Dockerfile").read_text()
GUNICORN = runpy.run_path(str(REPO / "gunicorn.conf.py"))
# Settings as backend/settings.py reads them from the environment: env.str("NAME", ...), env.db("NAME"), ...
SETTINGS_VARIABLES = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', (REPO / "backend/settings.py").read_text()))


def nginx_test(prefix: Path, site: nginx.Site) -> subprocess.CompletedProcess:
    nginx.prepare_prefix(prefix, site)
    return subprocess.run([*nginx.nginx_command(prefix), "-t"], capture_output=True, text=True, check=False)


def compose_site() -> nginx.Site:
    """The nginx of compose.yaml: its port, the app services, the instances' body limit."""
    [port] = {mapping.split(":")[-1] for mapping in SERVICES["nginx"]["ports"]}
    return nginx.Site(
        listen=port,
        upstreams=[f"{name}:{instance_port()}" for name in APP_SERVICES],
        client_max_body_size=int(SERVICES["app-1"]["environment"]["DATA_UPLOAD_MAX_MEMORY_SIZE"]),
    )


def instance_port() -> int:
    """The port gunicorn binds in the image (the Dockerfile's CMD)."""
    [port] = re.findall(r'"--bind", "0\.0\.0\.0:(\d+)"', DOCKERFILE)
    return int(port)


def duration_seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)s", value)
    assert match, value
    return int(match[1])


# --- nginx


def test_the_rendered_configuration_passes_nginx_t(nginx_binary: str, tmp_path: Path) -> None:
    site = nginx.Site(
        listen="127.0.0.1:8080",
        upstreams=["127.0.0.1:8101", "127.0.0.1:8102"],
        client_max_body_size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        static_root=tmp_path / "static",
        worker_user=nginx.worker_user(),
    )

    result = nginx_test(tmp_path / "nginx", site)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_configuration_buffers_requests_and_keeps_connections_to_the_instances(tmp_path: Path) -> None:
    text = nginx.render(nginx.Site(listen="8080", upstreams=["a:8000", "b:8000"], client_max_body_size=1234))

    for directive in [
        "proxy_request_buffering on;",
        "client_body_timeout 10s;",
        "client_header_timeout 10s;",
        "client_max_body_size 1234;",
        "proxy_http_version 1.1;",
        'proxy_set_header Connection "";',
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $forwarded_request_id;",
        "proxy_next_upstream error timeout;",
        "server a:8000 max_fails=3 fail_timeout=10s;",
        "server b:8000 max_fails=3 fail_timeout=10s;",
        "keepalive 32;",
    ]:
        assert directive in text, directive


def test_nginx_closes_idle_connections_to_an_instance_before_gunicorn_does() -> None:
    text = nginx.render(nginx.Site(listen="8080", upstreams=["a:8000"], client_max_body_size=1))
    [upstream_keepalive] = re.findall(r"upstream app \{[^}]*keepalive_timeout (\d+)s;", text)

    assert int(upstream_keepalive) < GUNICORN["keepalive"]


def test_nginx_answers_its_own_errors_as_problem_documents() -> None:
    text = nginx.render(nginx.Site(listen="8080", upstreams=["a:8000"], client_max_body_size=1))

    assert "error_page 413 @problem_413;" in text
    assert (
        'return 413 \'{"type": "about:blank", "title": "Request Entity Too Large", "status": 413, '
        '"detail": "The request body is too large."}\';'
    ) in text


def test_the_compose_nginx_configuration_is_the_template_rendered_for_compose() -> None:
    committed = (REPO / "deploy/compose-nginx.conf").read_text()

    assert committed == nginx.render(compose_site()), "re-render it: see deploy/nginx.py's usage"


def test_the_compose_nginx_configuration_passes_nginx_t(nginx_binary: str, tmp_path: Path) -> None:
    # nginx -t resolves upstream names: compose's service names stand for local addresses here.
    site = compose_site()
    local = nginx.Site(
        listen=site.listen,
        upstreams=[f"127.0.0.1:{8101 + index}" for index in range(len(site.upstreams))],
        client_max_body_size=site.client_max_body_size,
    )

    result = nginx_test(tmp_path / "nginx", local)

    assert result.returncode == 0, result.stderr


# --- compose.yaml


def app_environment(service: str) -> dict[str, str]:
    return SERVICES[service]["environment"]


def test_compose_runs_two_app_instances_behind_nginx_and_the_trial_services() -> None:
    assert set(SERVICES) == {"postgres", "redis", "migrate", "demo-upstream", *APP_SERVICES, "nginx"}
    assert [mount.split(":")[0] for mount in SERVICES["nginx"]["volumes"]] == ["./deploy/compose-nginx.conf"]
    assert set(SERVICES["nginx"]["depends_on"]) == set(APP_SERVICES)


def test_every_variable_compose_sets_for_the_app_is_a_setting() -> None:
    for service in [*APP_SERVICES, "migrate", "demo-upstream"]:
        assert set(app_environment(service)) <= SETTINGS_VARIABLES, service


def test_both_instances_share_one_database_and_one_redis_of_compose() -> None:
    environments = [app_environment(service) for service in APP_SERVICES]
    database = urlsplit(environments[0]["DATABASE_URL"])
    postgres = SERVICES["postgres"]["environment"]

    assert environments[0] == environments[1]
    assert (database.hostname, database.port, database.username, database.password, database.path) == (
        "postgres",
        5432,
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        f"/{postgres['POSTGRES_DB']}",
    )
    assert urlsplit(environments[0]["REDIS_URL"]).hostname == "redis"


def test_the_instances_run_in_production_mode_behind_one_proxy() -> None:
    environment = app_environment("app-1")

    assert environment["NUM_PROXIES"] == "1"
    assert environment["DEBUG"] == "false"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # from the operator, never the file
    assert urlsplit(environment["MOVIES_API_URL"]).netloc == "demo-upstream:8001"
    assert SERVICES["demo-upstream"]["command"][-2:] == ["--port", "8001"]


def test_the_health_checks_ask_the_app_and_nginx_on_their_ports() -> None:
    app_check = " ".join(SERVICES["app-1"]["healthcheck"]["test"])
    nginx_check = " ".join(SERVICES["nginx"]["healthcheck"]["test"])

    assert f"http://127.0.0.1:{instance_port()}/health/" in app_check
    assert resolve("/health/").url_name == "health"
    assert f"http://127.0.0.1:{compose_site().listen}/nginx-health" in nginx_check
    assert "location = /nginx-health" in nginx.render(compose_site())
    for service in ["postgres", "redis"]:
        assert SERVICES[service]["healthcheck"]["test"]


def test_an_instance_stopping_has_time_to_drain() -> None:
    for service in APP_SERVICES:
        assert duration_seconds(SERVICES[service]["stop_grace_period"]) > GUNICORN["graceful_timeout"]


def test_the_instances_start_after_the_migrations_and_the_stores() -> None:
    depends: dict[str, Any] = SERVICES["app-1"]["depends_on"]

    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


# --- Dockerfile


def test_the_image_is_slim_collects_static_files_and_runs_gunicorn_without_privileges() -> None:
    instructions = [line for line in DOCKERFILE.splitlines() if line and not line.startswith("#")]
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    collect = next(index for index, line in enumerate(instructions) if "manage.py collectstatic" in line)

    assert instructions[0] == "FROM python:3.11-slim"
    assert users
    assert users[-1] not in {"root", "0"}
    assert instructions.index(f"USER {users[-1]}") > collect
    assert '"--config", "gunicorn.conf.py"' in instructions[-1]
    assert instructions[-1].startswith('CMD ["gunicorn"')


@pytest.mark.parametrize("path", [".env", ".secret-key", ".venv", ".prod-local", "db.sqlite3", ".git"])
def test_the_image_leaves_out_local_state_and_secrets(path: str) -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()

    assert path in ignored


# --- README


def test_the_readme_renders_compose_nginx_as_it_is_committed(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text().replace("\\\n", " ")
    [command] = re.findall(r"python -m deploy\.nginx ([^\n]*--output deploy/compose-nginx\.conf)", readme)
    argv = shlex.split(command)
    argv[-1] = str(tmp_path / "nginx.conf")

    nginx.main(argv)

    assert (tmp_path / "nginx.conf").read_text() == (REPO / "deploy/compose-nginx.conf").read_text()


def test_the_readme_names_the_defaults_of_make_prod_local() -> None:
    readme = (REPO / "README.md").read_text()
    _, layout = local.parse_layout(["start"])

    assert f"`{local.DEFAULT_DATABASE_URL}`" in readme
    assert f"`{local.DEFAULT_REDIS_URL}`" in readme
    assert (
        f'PROD_LOCAL_ARGS="--port {layout.port} --app-ports {",".join(map(str, layout.app_ports))} '
        f'--upstream-port {layout.upstream_port}\n--workers {layout.workers} --threads {layout.threads}"'
    ) in readme
    assert f"two instances of {layout.workers} workers x {layout.threads} threads" in readme
