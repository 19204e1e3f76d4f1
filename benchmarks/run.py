"""The whole API side by side with a floor: `make bench` (`python -m benchmarks.run`).

Seeds a PostgreSQL database of its own (a reader with 50 collections of 3
movies and one of 1,000, a writer, 1,000 other users), starts the demo
upstream and warms the movie cache, then runs every scenario under gunicorn
(the same workers and threads each time) with `wrk`, in interleaved rounds,
and reports requests per second, p50/p99 latency and the server's CPU time
per request (all its processes, from `/proc`), each also as a ratio to the
floor of the same round: a plain view behind Django's common middleware only.

Rounds start each server anew and take the servers in turn, so that a noisy
neighbour on the machine spreads over all of them. `--smoke` runs every
scenario once and only checks that it answers 2xx (CI).

    python -m benchmarks.run [--rounds 3] [--seconds 8] [--workers 2] [--threads 8] [--connections 32]

`BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres) is
where the benchmark's database is created and dropped; `BENCH_REDIS_URL`
(default redis://127.0.0.1:6379/14) is the Redis it uses, its keys deleted
afterwards. Results: `bench-results/bench-<time>.md` and `.json`.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests

from benchmarks import curves
from movies.demo_upstream import serve

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
OPERATIONS_DIR = BASE_DIR / "rest_compat" / "operations"
BOOT_TIMEOUT_SECONDS = 60
SECRET_KEY = "benchmark-only-secret-key-not-for-production-use-0123456789"  # noqa: S105 - loopback servers
ADMIN_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
MOVIES_PAGE = 2


@dataclass(frozen=True)
class Server:
    """A configuration of the server: its settings module and environment."""

    name: str
    settings: str
    env: dict[str, str] = field(default_factory=dict)
    embedded: bool = False  # SQLite and the database counter, no Redis


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str
    path: str
    method: str = "GET"
    body: Any = None
    caller: str | None = None  # whose bearer token: "reader" or "writer"


SERVERS = [
    Server("floor", "benchmarks.floor_settings", {"REQUEST_COUNTER_ENABLED": "false"}),
    Server("app", "benchmarks.settings"),
    Server("app, counter off", "benchmarks.settings", {"REQUEST_COUNTER_ENABLED": "false"}),
    Server("embedded default", "benchmarks.settings", embedded=True),
    Server("embedded, counter off", "benchmarks.settings", {"REQUEST_COUNTER_ENABLED": "false"}, embedded=True),
]


def operation(name: str) -> str:
    return (OPERATIONS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def scenarios(seed: dict[str, Any]) -> list[Scenario]:
    big = seed["big_collection"]

    def graphql(name: str, document: str, variables: dict[str, Any] | None = None) -> Scenario:
        body = {"query": document, "variables": variables or {}}
        return Scenario(name, "app", "/graphql/", "POST", body, caller="reader")

    return [
        Scenario("floor: a plain view", "floor", "/bench/ping/"),
        Scenario("middleware stack, counter off", "app, counter off", "/bench/ping/"),
        Scenario("middleware stack, counter on (Redis)", "app", "/bench/ping/"),
        Scenario("embedded default: stack, counter off", "embedded, counter off", "/bench/ping/"),
        Scenario("embedded default: stack, counter on (database)", "embedded default", "/bench/ping/"),
        Scenario("GET /request-count/", "app", "/request-count/", caller="reader"),
        graphql("GraphQL { requestCount }", operation("request_count")),
        Scenario("GET /collections/ (50)", "app", "/collections/", caller="reader"),
        graphql("GraphQL collections + favouriteGenres (50)", operation("collection_list"), {"limit": 1000}),
        Scenario("GET /collections/<uuid>/ (1,000 movies)", "app", f"/collections/{big}/", caller="reader"),
        graphql("GraphQL collection (1,000 movies)", operation("collection_detail"), {"uuid": big}),
        Scenario(f"GET /movies/?page={MOVIES_PAGE} (cached)", "app", f"/movies/?page={MOVIES_PAGE}", caller="reader"),
        graphql("GraphQL movies (cached)", operation("movies_page"), {"page": MOVIES_PAGE}),
        Scenario(
            "POST /collections/ (20 movies)", "app", "/collections/", "POST", seed["new_collection"], caller="writer"
        ),
        Scenario(
            "POST /token/",
            "app",
            "/token/",
            "POST",
            {"username": seed["username"], "password": seed["password"]},
        ),
    ]


# --- Servers


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running:
    """A gunicorn of one server configuration."""

    def __init__(self, server: Server, env: dict[str, str], *, workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads)]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()  # no server left behind when the run ends here
            raise

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                if requests.get(f"{self.url}/bench/ping/", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still booting
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {BOOT_TIMEOUT_SECONDS} s; see {self.log.name}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the master and its workers so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if self.process.pid in (int(entry.name), int(fields[1])):
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- Load


@dataclass
class Measure:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    cpu_us: float  # server CPU per request, microseconds
    requests: int


def wrk_script(scenario: Scenario, token: str | None, directory: Path) -> Path:
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.body is not None:
        lines.append(f"wrk.body = [==[{json.dumps(scenario.body)}]==]")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    path = directory / f"{uuid.uuid4().hex}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(url: str, script: Path, *, seconds: float, connections: int) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "--latency"]
    command += ["-s", str(script), url]
    output = subprocess.run(  # noqa: S603 - our own command line
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "failed": int(failed.group(1)) if failed else 0,
        "p50": _latency_ms(output, "50%"),
        "p99": _latency_ms(output, "99%"),
        "output": output,
    }


def _latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def measure(running: Running, scenario: Scenario, token: str | None, args: argparse.Namespace, work: Path) -> Measure:
    script = wrk_script(scenario, token, work)
    url = running.url + scenario.path
    if not args.smoke:
        run_wrk(url, script, seconds=args.warm_up, connections=args.connections)
    seconds = args.seconds
    while True:
        cpu_before, started = running.cpu_seconds(), time.monotonic()
        result = run_wrk(url, script, seconds=seconds, connections=args.connections)
        elapsed, cpu = time.monotonic() - started, running.cpu_seconds() - cpu_before
        if result["requests"] or seconds >= 4 * args.seconds:
            break
        seconds *= 2  # none answered in time (a slow scenario on a busy machine): measure longer
    if result["failed"] or not result["requests"]:
        raise RuntimeError(f"{scenario.name}: {result['failed']} of {result['requests']} failed\n{result['output']}")
    served = result["requests"]
    return Measure(served / elapsed, result["p50"], result["p99"], cpu / served * 1e6, served)


def smoke(running: Running, scenario: Scenario, token: str | None) -> int:
    """One request of the scenario; its status, `RuntimeError` when it is not 2xx."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = running.url + scenario.path
    response = requests.request(scenario.method, url, json=scenario.body, headers=headers, timeout=60)
    if not response.ok:
        raise RuntimeError(f"{scenario.name}: {response.status_code} {response.text[:500]}")
    return response.status_code


# --- The run


def environment(server: Server, work: Path, database_url: str, prefix: str, upstream_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": server.settings,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "REQUEST_COUNTER_ENABLED": "true",
        "REQUEST_COUNTER_REDIS_URL": REDIS_URL,
        "REQUEST_COUNTER_KEY_PREFIX": prefix,
        "MOVIES_API_URL": upstream_url,
        # The rate limits stay on, with budgets no benchmark exhausts.
        "AUTH_THROTTLE_PER_MINUTE": "0",
        "GRAPHQL_COST_BUCKET": str(10**12),
        "GRAPHQL_COST_REFILL_PER_SECOND": str(10**9),
        "COLLECTIONS_PER_USER_LIMIT": str(10**9),
    }
    if server.embedded:
        sqlite = f"sqlite:///{work / 'embedded.sqlite3'}"
        env |= {"DATABASE_URL": sqlite, "REDIS_URL": "", "REQUEST_COUNTER_REDIS_URL": ""}
        env.pop("REQUEST_COUNTER_FLUSH_MS", None)  # the database store's default
    return env | server.env


def seed_database(env: dict[str, str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.seed"], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warm-up", type=float, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", help="run only the scenarios whose names contain one of these")
    parser.add_argument("--smoke", action="store_true", help="every scenario once: do all answer 2xx?")
    parser.add_argument("--no-curves", action="store_true", help="leave out the cost curves")
    args = parser.parse_args()
    if args.smoke:
        args.rounds = 1
    if not args.smoke and shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk; `make bench` installs it when it can)")

    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    database = f"bench_{uuid.uuid4().hex[:12]}"
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    admin = psycopg.connect(ADMIN_DATABASE_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{database}"')
    database_url = ADMIN_DATABASE_URL.rsplit("/", 1)[0] + f"/{database}"
    upstream = serve("127.0.0.1", 0)
    try:
        envs = {s.name: environment(s, work, database_url, prefix, upstream.url) for s in SERVERS}
        seed = seed_database(envs["app"])
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, cwd=BASE_DIR, env=envs["embedded default"], check=True)  # noqa: S603
        tokens = {"reader": seed["reader_token"], "writer": seed["writer_token"]}
        chosen = [s for s in scenarios(seed) if not args.only or any(word in s.name for word in args.only)]
        chosen = [s for s in chosen if s.server != "floor"] + [s for s in scenarios(seed) if s.server == "floor"]
        if not args.smoke:
            print(f"wrk -t2 -c{args.connections}, {args.seconds:g} s x {args.rounds} rounds", end=", ")
            print(f"gunicorn {args.workers} workers x {args.threads} threads")
        results: dict[str, list[Measure]] = {s.name: [] for s in chosen}
        floors: list[Measure] = []
        for round_number in range(1, args.rounds + 1):
            for server in SERVERS:
                mine = [s for s in chosen if s.server == server.name]
                if not mine:
                    continue
                log = work / f"{round_number}-{server.name.replace(' ', '-').replace(',', '')}.log"
                running = Running(server, envs[server.name], workers=args.workers, threads=args.threads, log=log)
                try:
                    if server.name == "app":
                        warm = f"{running.url}/movies/?page={MOVIES_PAGE}"
                        headers = {"Authorization": f"Bearer {tokens['reader']}"}
                        requests.get(warm, headers=headers, timeout=30).raise_for_status()
                    for scenario in mine:
                        if args.smoke:
                            print(
                                f"  {scenario.name:<50} {smoke(running, scenario, tokens.get(scenario.caller or ''))}"
                            )
                            continue
                        result = measure(running, scenario, tokens.get(scenario.caller or ""), args, work)
                        (floors if scenario.server == "floor" else results[scenario.name]).append(result)
                        print(
                            f"  round {round_number}: {scenario.name:<50} {result.rate:7.0f} req/s "
                            f"{result.cpu_us:7.0f} us CPU/request  "
                            f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms",
                            flush=True,
                        )
                finally:
                    running.stop()
        if args.smoke:
            print("Every scenario answered 2xx.")
            return
        table = report(chosen, results, floors)
        print("\n" + table)
        curve_table = "" if args.smoke or args.no_curves else curves.run(envs["app"])
        if curve_table:
            print(curve_table)
        save(table + curve_table, results, floors, args)
    finally:
        upstream.shutdown()
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
        shutil.rmtree(work, ignore_errors=True)


def report(chosen: list[Scenario], results: dict[str, list[Measure]], floors: list[Measure]) -> str:
    """A Markdown table: medians over the rounds, each ratio taken against the floor of its own round."""
    lines = [
        "| scenario | req/s | p50 ms | p99 ms | server CPU µs/request | CPU per request vs floor "
        "| throughput vs floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines.append(_row("floor: a plain view", floors, floors))
    lines += [_row(s.name, results[s.name], floors) for s in chosen if s.server != "floor"]
    return "\n".join(lines) + "\n"


def _row(name: str, measures: list[Measure], floor: list[Measure]) -> str:
    median = statistics.median
    cpu_ratio = median(f.cpu_us / m.cpu_us for m, f in zip(measures, floor, strict=True))
    rate_ratio = median(m.rate / f.rate for m, f in zip(measures, floor, strict=True))
    return (
        f"| {name} | {median(m.rate for m in measures):,.0f} | {median(m.p50_ms for m in measures):.1f} "
        f"| {median(m.p99_ms for m in measures):.1f} | {median(m.cpu_us for m in measures):,.0f} "
        f"| {cpu_ratio:.2f} | {rate_ratio:.2f} |"
    )


def save(table: str, results: dict[str, list[Measure]], floors: list[Measure], args: argparse.Namespace) -> None:
    """The table (with the command that made it) and every measure, under `bench-results/`."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    command = "make bench" + (f' BENCH_ARGS="{" ".join(sys.argv[1:])}"' if sys.argv[1:] else "")
    (RESULTS_DIR / f"bench-{stamp}.md").write_text(f"`{command}`\n\n{table}")
    rows = {"floor": [asdict(m) for m in floors]} | {k: [asdict(m) for m in v] for k, v in results.items()}
    (RESULTS_DIR / f"bench-{stamp}.json").write_text(json.dumps({"args": vars(args), "results": rows}, indent=2))
    print(f"saved bench-results/bench-{stamp}.md and .json")


if __name__ == "__main__":
    main()
