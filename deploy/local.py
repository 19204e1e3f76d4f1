"""`make prod-local`: the production topology on this machine, without Docker.

    python -m deploy.local start|stop|status [--port 8080] [--app-ports 8101,8102] [--run-dir .prod-local]

nginx (Debian's, installed when missing) listens on `--port` and balances
two gunicorn instances (`gunicorn.conf.py`) that share one PostgreSQL
(`DATABASE_URL`, default a database of its own on the local server, created
when missing) and one Redis (`REDIS_URL`, default database 2 of the local
one). The demo upstream is the movie API unless `MOVIES_API_URL` is set.
Migrations and `collectstatic` run once, before the instances start.

Everything `start` starts is recorded in the run directory (pid files,
logs, nginx's prefix, the generated SECRET_KEY); `stop` stops exactly that.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
import requests
from psycopg import sql

from deploy import nginx

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/movie_collections_prod_local"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60
# gunicorn's graceful_timeout (30 s, gunicorn.conf.py) and then some: SIGKILL only past it.
STOP_TIMEOUT_SECONDS = 40
POLL_SECONDS = 0.1
# The production settings every instance runs with; the rest of the environment passes through.
PRODUCTION_SETTINGS = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]",
    # nginx appends the client's address to X-Forwarded-For and sets X-Forwarded-Proto.
    "NUM_PROXIES": "1",
    "SECURE_PROXY_SSL_HEADER": "true",
}


class DeploymentError(Exception):
    """What went wrong, in words for the person who ran the command."""


@dataclass(frozen=True)
class Layout:
    """Ports and the run directory of one local deployment."""

    run_dir: Path
    port: int
    app_ports: Sequence[int]
    upstream_port: int
    workers: int
    threads: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def nginx_prefix(self) -> Path:
        return self.run_dir / "nginx"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / "pids" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    def app_names(self) -> list[str]:
        return [f"app-{index}" for index in range(1, len(self.app_ports) + 1)]


# --- Processes


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a process whose parent has not reaped it has finished)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The pids of a process's children (gunicorn's and nginx's workers)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def spawn(layout: Layout, name: str, command: list[str], env: dict[str, str]) -> int:
    """Starts `command` in a session of its own (it outlives this command), logging to the run directory."""
    with layout.log_file(name).open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    layout.pid_file(name).write_text(f"{process.pid}\n")
    return process.pid


def terminate(pid: int, sig: signal.Signals) -> bool:
    """Sends `sig`, waits for the process to end (SIGKILL past the timeout); answers whether it had to kill."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while is_running(pid):
        if time.monotonic() > deadline:
            for process in [pid, *children(pid)]:
                os.kill(process, signal.SIGKILL)
            return True
        time.sleep(POLL_SECONDS)
    return False


# --- Checks and preparation


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def wait_until(check: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            hint = f"; see {log}" if log else ""
            raise DeploymentError(f"{what} did not come up in {READY_TIMEOUT_SECONDS} s{hint}")
        time.sleep(POLL_SECONDS)


def answers_health(url: str) -> bool:
    try:
        return requests.get(f"{url}/health/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def listens(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database of `url` when missing (the server must answer)."""
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return
    name = urlsplit(url).path.lstrip("/")
    try:
        maintenance = psycopg.connect(
            psycopg.conninfo.make_conninfo(url.replace("pgsql://", "postgres://", 1), dbname="postgres"),
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as error:
        raise DeploymentError(f"PostgreSQL does not answer at {url} ({error})") from error
    with maintenance:
        if maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"Creating database {name}")
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        raise DeploymentError(f"Redis does not answer at {url} ({error})") from error
    finally:
        client.close()


def secret_key(run_dir: Path) -> str:
    """The deployment's SECRET_KEY, made on the first start and kept (0600) in the run directory."""
    path = run_dir / "secret-key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def uses_demo_upstream() -> bool:
    return not os.environ.get("MOVIES_API_URL")


def app_environment(layout: Layout) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    if uses_demo_upstream():
        env["MOVIES_API_URL"] = f"http://{HOST}:{layout.upstream_port}/api/v1/maya/movies/"
    env["SECRET_KEY"] = env.get("SECRET_KEY") or secret_key(layout.run_dir)
    env.update(PRODUCTION_SETTINGS)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DeploymentError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def app_limits(env: dict[str, str]) -> tuple[int, Path]:
    """The settings nginx must agree with: the largest request body, STATIC_ROOT."""
    script = (
        "from django.conf import settings; print(settings.DATA_UPLOAD_MAX_MEMORY_SIZE); print(settings.STATIC_ROOT)"
    )
    max_body, static_root = manage(env, "shell", "-c", script).strip().splitlines()[-2:]
    return int(max_body), Path(static_root)


# --- The commands


def recorded(layout: Layout) -> dict[str, int]:
    """Every process this deployment recorded, by name, in stopping order: nginx, the instances, the upstream.

    Read from the run directory, not the options: `stop` stops what `start` started, whatever its options.
    """
    pids = {"nginx": read_pid(layout.nginx_prefix / "nginx.pid")}
    for path in sorted((layout.run_dir / "pids").glob("*.pid"), key=lambda path: path.stem == "demo-upstream"):
        pids[path.stem] = read_pid(path)
    return {name: pid for name, pid in pids.items() if pid is not None}


def running(layout: Layout) -> dict[str, int]:
    """What this deployment started and is still running, by name."""
    return {name: pid for name, pid in recorded(layout).items() if is_running(pid)}


def start(layout: Layout) -> None:
    if already := running(layout):
        raise DeploymentError(f"Already running ({', '.join(already)}); stop it first")
    for directory in ("pids", "logs"):
        (layout.run_dir / directory).mkdir(parents=True, exist_ok=True)
    ports = [layout.port, *layout.app_ports, *([layout.upstream_port] if uses_demo_upstream() else [])]
    busy = [port for port in ports if not port_is_free(port)]
    if busy:
        raise DeploymentError(f"Ports in use: {', '.join(map(str, busy))}")
    try:
        nginx.ensure_installed()
    except FileNotFoundError as error:
        raise DeploymentError(str(error)) from error
    env = app_environment(layout)
    ensure_database(env["DATABASE_URL"])
    ensure_redis(env["REDIS_URL"])
    print("Migrating and collecting static files")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    max_body, static_root = app_limits(env)
    try:
        start_processes(layout, env, max_body=max_body, static_root=static_root)
    except BaseException:
        stop(layout)
        raise
    print(f"Serving {layout.url} (nginx) -> {', '.join(f'{HOST}:{port}' for port in layout.app_ports)}")
    print(f"Logs in {layout.run_dir / 'logs'}; stop with `make prod-local-stop`")


def start_processes(layout: Layout, env: dict[str, str], *, max_body: int, static_root: Path) -> None:
    if uses_demo_upstream():
        command = [sys.executable, "manage.py", "demo_upstream", "--host", HOST, "--port", str(layout.upstream_port)]
        spawn(layout, "demo-upstream", command, env)
        wait_until(lambda: listens(layout.upstream_port), "The demo upstream", layout.log_file("demo-upstream"))
    for name, port in zip(layout.app_names(), layout.app_ports, strict=True):
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"{HOST}:{port}", "--workers", str(layout.workers), "--threads", str(layout.threads)]
        spawn(layout, name, command, env)
    for name, port in zip(layout.app_names(), layout.app_ports, strict=True):
        wait_until(lambda port=port: answers_health(f"http://{HOST}:{port}"), name, layout.log_file(name))
    site = nginx.Site(
        listen=f"{HOST}:{layout.port}",
        upstreams=[f"{HOST}:{port}" for port in layout.app_ports],
        client_max_body_size=max_body,
        static_root=static_root,
        worker_user=nginx.worker_user(),
    )
    nginx.prepare_prefix(layout.nginx_prefix, site)
    result = subprocess.run(nginx.nginx_command(layout.nginx_prefix), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DeploymentError(f"nginx did not start:\n{result.stderr}")
    wait_until(lambda: answers_health(layout.url), "nginx", layout.nginx_prefix / "logs/error.log")


def stop(layout: Layout) -> None:
    """Stops what `start` started: nginx first (no new requests), then the instances (they drain), then the rest."""
    for name, pid in running(layout).items():
        # nginx: SIGQUIT finishes the requests in flight; gunicorn: SIGTERM does.
        killed = terminate(pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        print(f"Stopped {name}{' (killed: it did not stop in time)' if killed else ''}")
    for path in (layout.run_dir / "pids").glob("*.pid"):
        path.unlink()


def status(layout: Layout) -> bool:
    """Prints what runs; answers whether all of it is up and healthy through nginx."""
    processes = running(layout)
    expected = recorded(layout) or dict.fromkeys(["nginx", *layout.app_names()], 0)
    for name in expected:
        print(f"{name:14} {f'running (pid {processes[name]})' if name in processes else 'stopped'}")
    healthy = answers_health(layout.url)
    print(f"{layout.url}/health/ {'ok' if healthy else 'not answering'}")
    return healthy and bool(processes) and processes.keys() == expected.keys()


def parse_layout(argv: Sequence[str] | None) -> tuple[str, Layout]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--run-dir", type=Path, default=BASE_DIR / ".prod-local")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--app-ports", default="8101,8102", help="the instances' ports, comma-separated")
    parser.add_argument("--upstream-port", type=int, default=8103, help="the demo upstream's port (default 8103)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per instance (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    options = parser.parse_args(argv)
    layout = Layout(
        run_dir=options.run_dir.resolve(),
        port=options.port,
        app_ports=[int(port) for port in options.app_ports.split(",")],
        upstream_port=options.upstream_port,
        workers=options.workers,
        threads=options.threads,
    )
    return options.command, layout


def main(argv: Sequence[str] | None = None) -> int:
    command, layout = parse_layout(argv)
    try:
        if command == "start":
            start(layout)
        elif command == "stop":
            stop(layout)
        else:
            return 0 if status(layout) else 3
    except DeploymentError as error:
        print(f"prod-local: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
