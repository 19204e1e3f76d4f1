"""A stand-in for the upstream movie catalog, for offline runs and tests.

Serves `GET /api/v1/maya/movies/?page=N` in the upstream's wire format from
the demo catalog, checks HTTP Basic auth, and can misbehave on purpose:
`failure_rate` answers that share of requests with a 500 or a 503 (the
503 with `Retry-After: 1`), `latency_ms` delays every answer, `seed` makes
the failures reproducible.

    server = serve(port=0)          # a free port, served by a daemon thread
    requests.get(server.url, params={"page": 2}, auth=("demo", "demo"))
    server.shutdown()
"""

import argparse
import base64
import binascii
import hmac
import json
import logging
import os
import random
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from movies import demo_catalog

logger = logging.getLogger(__name__)

MOVIES_PATH = "/api/v1/maya/movies/"
INJECTED_FAILURES = (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.SERVICE_UNAVAILABLE)
INJECTED_RETRY_AFTER_SECONDS = 1
# How often the serving loop checks for shutdown(): a stop takes at most this long.
SHUTDOWN_POLL_SECONDS = 0.05


class DemoUpstreamServer(ThreadingHTTPServer):
    """Threaded HTTP server of the demo catalog.

    `request_count` counts every request answered, `connection_count` every
    connection accepted (keep-alive serves many requests on one).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        username: str = "demo",
        password: str = "demo",  # noqa: S107 - the demo catalog's well-known default
        failure_rate: float = 0.0,
        latency_ms: int = 0,
        seed: int | None = None,
    ) -> None:
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1.")
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative.")
        self.username = username
        self.password = password
        self.failure_rate = failure_rate
        self.latency_ms = latency_ms
        self._random = random.Random(seed)  # noqa: S311 - fault injection, not security
        self._lock = threading.Lock()
        self._request_count = 0
        self._connection_count = 0
        self._thread: threading.Thread | None = None
        super().__init__(address, DemoUpstreamHandler)

    @property
    def url(self) -> str:
        """The catalog's URL, for `MOVIES_API_URL`."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{MOVIES_PATH}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._request_count

    @property
    def connection_count(self) -> int:
        with self._lock:
            return self._connection_count

    def count_request(self) -> None:
        with self._lock:
            self._request_count += 1

    def count_connection(self) -> None:
        with self._lock:
            self._connection_count += 1

    def injected_failure(self) -> HTTPStatus | None:
        """The failure to answer with this time, if any."""
        with self._lock:
            if self.failure_rate and self._random.random() < self.failure_rate:
                return self._random.choice(INJECTED_FAILURES)
        return None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up before the answer was written (its deadline ran out) is no error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.info("%s:%s went away before its answer was written", *client_address[:2])
        else:
            super().handle_error(request, client_address)

    def start(self) -> "DemoUpstreamServer":
        """Serve from a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="demo-upstream", daemon=True
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            super().shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()


class DemoUpstreamHandler(BaseHTTPRequestHandler):
    server: DemoUpstreamServer
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection pool is exercised

    def setup(self) -> None:
        super().setup()
        self.server.count_connection()

    def do_GET(self) -> None:
        self.server.count_request()
        if self.server.latency_ms:
            time.sleep(self.server.latency_ms / 1000)
        failure = self.server.injected_failure()
        if failure is not None:
            headers = {"Retry-After": str(INJECTED_RETRY_AFTER_SECONDS)} if failure == 503 else {}
            self.send_json(failure, {"detail": failure.phrase}, headers)
            return
        if not self.authorized():
            self.send_json(
                HTTPStatus.UNAUTHORIZED,
                {"detail": "Invalid username/password."},
                {"WWW-Authenticate": 'Basic realm="api"'},
            )
            return
        url = urlsplit(self.path)
        if url.path.rstrip("/") != MOVIES_PATH.rstrip("/"):
            self.send_json(HTTPStatus.NOT_FOUND, {"detail": "Not found."})
            return
        number = self.page_number(url.query)
        movies = demo_catalog.page(number) if number else ()
        if not movies:
            self.send_json(HTTPStatus.NOT_FOUND, {"detail": "Invalid page."})
            return
        body = {
            "count": demo_catalog.CATALOG_SIZE,
            "next": self.page_url(number + 1) if number < demo_catalog.page_count() else None,
            "previous": self.page_url(number - 1) if number > 1 else None,
            "results": list(movies),
        }
        self.send_json(HTTPStatus.OK, body)

    def authorized(self) -> bool:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        # Both comparisons always run: no timing hint about which one failed.
        good_username = hmac.compare_digest(username.encode(), self.server.username.encode())
        good_password = hmac.compare_digest(password.encode(), self.server.password.encode())
        return good_username and good_password

    @staticmethod
    def page_number(query: str) -> int | None:
        """The `page` parameter (1 when absent); None when it is not a positive integer, as upstream."""
        values = parse_qs(query).get("page")
        if not values:
            return 1
        value = values[-1]
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            return None
        return int(value)

    def page_url(self, number: int) -> str:
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"http://{host}{MOVIES_PATH}?page={number}"

    def send_json(self, status: HTTPStatus, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s:%s %s", *self.client_address[:2], format % args)


def serve(
    host: str = "127.0.0.1",
    port: int = 8001,
    *,
    username: str = "demo",
    password: str = "demo",  # noqa: S107 - the demo catalog's well-known default
    failure_rate: float = 0.0,
    latency_ms: int = 0,
    seed: int | None = None,
) -> DemoUpstreamServer:
    """Start a demo upstream on `host:port` (port 0: any free one) in a daemon thread."""
    server = DemoUpstreamServer(
        (host, port),
        username=username,
        password=password,
        failure_rate=failure_rate,
        latency_ms=latency_ms,
        seed=seed,
    )
    return server.start()


def add_arguments(parser: argparse.ArgumentParser, *, username: str, password: str) -> None:
    """The command line of the demo upstream (`python -m movies.demo_upstream` and `manage.py demo_upstream`)."""
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8001, help="Port to listen on (default 8001; 0: any free one).")
    parser.add_argument("--username", default=username, help=f"Basic auth user name expected (default {username!r}).")
    parser.add_argument("--password", default=password, help="Basic auth password expected.")
    parser.add_argument(
        "--failure-rate",
        type=float,
        default=0.0,
        help="Share of requests answered with a 500 or a 503, 0 to 1 (default 0).",
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="Delay added to every answer (default 0).")
    parser.add_argument("--seed", type=int, default=None, help="Seed of the injected failures, for repeatable runs.")


def run(options: dict[str, Any], out: Any = sys.stdout) -> None:
    """Serves until interrupted; `ValueError` for bad options, `OSError` when it cannot listen."""
    server = DemoUpstreamServer(
        (options["host"], options["port"]),
        username=options["username"],
        password=options["password"],
        failure_rate=options["failure_rate"],
        latency_ms=options["latency_ms"],
        seed=options["seed"],
    )
    print(f"Demo movie catalog at {server.url} (Basic auth user {options['username']!r})", file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """`python -m movies.demo_upstream`: no Django settings needed (credentials from `MOVIES_API_*`)."""
    parser = argparse.ArgumentParser(prog="python -m movies.demo_upstream", description=__doc__.split("\n")[0])
    username = os.environ.get("MOVIES_API_USERNAME", "demo")
    add_arguments(parser, username=username, password=os.environ.get("MOVIES_API_PASSWORD", "demo"))
    options = vars(parser.parse_args(argv))
    try:
        run(options)
    except (ValueError, OSError) as error:
        parser.exit(2, f"demo_upstream: {error}\n")


if __name__ == "__main__":
    main()
