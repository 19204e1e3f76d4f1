"""What the request counter costs a request, measured side by side in one run.

Starts gunicorn once per configuration and round (the same workers and
threads each time), loads a view that does nothing with `wrk` (or, without
it, a bounded Python load generator) and prints requests per second:

- counter off (`REQUEST_COUNTER_ENABLED=false`): the floor;
- on, flushing every `REQUEST_COUNTER_FLUSH_MS` (10 ms) to Redis;
- on, writing to Redis on every request (`REQUEST_COUNTER_FLUSH_MS=0`);
- on, flushing every 10 ms (and 100 ms) to the database (a SQLite file).

Rounds alternate the configurations so that a noisy neighbour on the
machine spreads over all of them. Usage (from the repository root):

    python -m benchmarks.run [--seconds 10] [--rounds 2] [--workers 2] [--threads 8] [--connections 32]

`BENCH_REDIS_URL` (default: `REDIS_URL`, else redis://127.0.0.1:6379/0)
names the Redis to use; the benchmark's keys are deleted afterwards.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
PATH = "/bench/ping/"
BOOT_TIMEOUT_SECONDS = 60
WARM_UP_SECONDS = 2
IDLE_SECONDS = 3
SECRET_KEY = "benchmark-only-secret-key-not-for-production-use"  # noqa: S105 - loopback servers of this run only


@dataclass(frozen=True)
class Config:
    name: str
    env: dict[str, str]
    needs_redis: bool = False


def configs(redis_url: str, prefix: str) -> list[Config]:
    return [
        Config("counter off", {"REQUEST_COUNTER_ENABLED": "false"}),
        Config(
            "on, Redis, flush every 10 ms",
            {"REQUEST_COUNTER_REDIS_URL": redis_url, "REQUEST_COUNTER_FLUSH_MS": "10"},
            needs_redis=True,
        ),
        Config(
            "on, Redis, FLUSH_MS=0 (a write per request)",
            {"REQUEST_COUNTER_REDIS_URL": redis_url, "REQUEST_COUNTER_FLUSH_MS": "0"},
            needs_redis=True,
        ),
        Config("on, database (SQLite), flush every 10 ms", {"REQUEST_COUNTER_FLUSH_MS": "10"}),
        Config("on, database (SQLite), flush every 100 ms", {"REQUEST_COUNTER_FLUSH_MS": "100"}),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(database_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "REQUEST_COUNTER_ENABLED": "true",
        "REQUEST_COUNTER_REDIS_URL": "",
        "REQUEST_COUNTER_KEY_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }


class Server:
    def __init__(self, *, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("w")
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads)]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.wait_until_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", PATH)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {BOOT_TIMEOUT_SECONDS} s; see {self.log.name}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def load_with_wrk(url: str, *, seconds: int, connections: int) -> int:
    """Answers how many requests were served."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    output = subprocess.run(  # noqa: S603 - our own command line
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests:\n{output}")
    return int(re.search(r"(\d+) requests in", output).group(1))


def load_with_python(url: str, *, seconds: int, connections: int) -> int:
    """Keep-alive GETs from `connections` threads for `seconds`; the client shares the CPU and the GIL."""
    port = int(url.split(":")[2].split("/")[0])
    done = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal done
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        count = 0
        while time.monotonic() < deadline:
            connection.request("GET", PATH)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"status {response.status}")
            count += 1
        with lock:
            done += count

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by process `root` and its children (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        pid, ppid = int(entry.name), int(fields[1])
        if root in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


@dataclass(frozen=True)
class Measure:
    rate: float  # requests per second
    cpu_us: float  # server CPU per request, microseconds
    idle_cpu: float  # share of a core the idle server uses (all its processes)


def measure(server: "Server", load: Any, *, seconds: int, connections: int) -> Measure:
    load(server.url, seconds=WARM_UP_SECONDS, connections=connections)
    cpu_before, start = cpu_seconds(server.process.pid), time.monotonic()
    served = load(server.url, seconds=seconds, connections=connections)
    elapsed, cpu = time.monotonic() - start, cpu_seconds(server.process.pid) - cpu_before
    idle_before = cpu_seconds(server.process.pid)
    time.sleep(IDLE_SECONDS)
    idle = (cpu_seconds(server.process.pid) - idle_before) / IDLE_SECONDS
    return Measure(rate=served / elapsed, cpu_us=cpu / served * 1e6, idle_cpu=idle)


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", type=int, help="configurations by number (1: off ... 5)")
    args = parser.parse_args()

    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    workdir = Path(tempfile.mkdtemp(prefix="counter-bench-"))
    env = base_env(f"sqlite:///{workdir / 'bench.sqlite3'}", prefix)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)

    wanted = [c for i, c in enumerate(configs(redis_url, prefix), 1) if not args.only or i in args.only]
    chosen = [c for c in wanted if not c.needs_redis or redis_answers(redis_url)]
    skipped = [c.name for c in wanted if c not in chosen]
    print(f"load: {load.__name__}, {args.connections} connections, {args.seconds:g} s x {args.rounds} rounds")
    print(f"server: gunicorn, {args.workers} workers x {args.threads} threads; view: GET {PATH}")
    if skipped:
        print(f"skipped (Redis at {redis_url} does not answer): {', '.join(skipped)}")

    results: dict[str, list[Measure]] = {c.name: [] for c in chosen}
    try:
        for round_number in range(args.rounds):
            for config in chosen:
                log = workdir / f"{len(results[config.name])}-{config.name.split(',')[0]}.log"
                server = Server(env={**env, **config.env}, workers=args.workers, threads=args.threads, log=log)
                try:
                    result = measure(server, load, seconds=args.seconds, connections=args.connections)
                finally:
                    server.stop()
                results[config.name].append(result)
                print(
                    f"  round {round_number + 1}: {config.name:<45} {result.rate:6.0f} req/s"
                    f" {result.cpu_us:6.0f} us CPU/request, idle {result.idle_cpu:5.1%} of a core",
                    flush=True,
                )
    finally:
        if any(c.needs_redis for c in chosen):
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"{prefix}:*"):
                client.delete(key)
            client.close()
        shutil.rmtree(workdir, ignore_errors=True)

    floor = results[chosen[0].name]
    floor_rate = statistics.median(m.rate for m in floor)
    floor_cpu = statistics.median(m.cpu_us for m in floor)
    header = f"{'configuration':<45} {'req/s':>7} {'vs off':>8} {'CPU us/req':>11} {'vs off':>8} {'idle CPU':>9}"
    print(f"\nmedians over the rounds\n{header}")
    for name, measures in results.items():
        rate = statistics.median(m.rate for m in measures)
        cpu = statistics.median(m.cpu_us for m in measures)
        idle = statistics.median(m.idle_cpu for m in measures)
        print(f"{name:<45} {rate:7.0f} {rate / floor_rate - 1:+8.1%} {cpu:11.0f} {cpu - floor_cpu:+8.0f} {idle:9.1%}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"request-counter-{time.strftime('%Y%m%d-%H%M%S')}.json"
    rows = {name: [vars(m) for m in measures] for name, measures in results.items()}
    out.write_text(json.dumps({"args": vars(args), "load": load.__name__, "results": rows}, indent=2))
    print(f"\nsaved {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
