"""gunicorn settings, read from `./gunicorn.conf.py` by default.

The request counter's hooks: each worker joins the counter's read barrier
and starts its flusher as soon as it has booted, and hands over what it
still holds when it exits. On SIGTERM a worker stops accepting, finishes
the requests it has within `graceful_timeout`, then flushes (`worker_exit`).
With `PROMETHEUS_MULTIPROC_DIR` set, the metrics' multiprocess hooks too.
"""

import os
import re
import sys
from pathlib import Path
from typing import Any

# The threaded worker: a slow request holds one thread, kept-alive connections wait in a poller.
worker_class = "gthread"
# Longer than a proxy keeps idle connections to the app (nginx: `keepalive_timeout` of the upstream,
# 60 s in deploy/nginx.conf.template), so the proxy closes first and never sends on a closing connection.
keepalive = 75
DRAIN_CHUNK_BYTES = 64 * 1024
# SIGTERM: in-flight requests have this long to finish; an orchestrator's grace period must be longer.
graceful_timeout = 30


def on_starting(server: Any) -> None:
    """Gives this instance a control socket of its own (`gunicornc -s <path>`), and fresh metrics.

    gunicorn's default is one path per user (`~/.gunicorn/gunicorn.ctl`): a
    second instance on the machine would take it over, and remove it on exit.
    """
    cfg = server.cfg
    if cfg.control_socket == cfg.settings["control_socket"].default:
        cfg.set("control_socket", instance_control_socket(cfg.control_socket, cfg.bind))
    clear_prometheus_multiprocess_files()


def instance_control_socket(default: str, binds: list[str]) -> str:
    """`gunicorn-127.0.0.1-8000.ctl` beside the default socket, named after the addresses bound."""
    name = re.sub(r"[^A-Za-z0-9.]+", "-", "_".join(binds)).strip("-")
    return str(Path(default).with_name(f"gunicorn-{name}.ctl"))


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    """Reads the rest of a request body the app left unread, once the answer has gone out.

    An early answer (401, 413, 415) leaves the body unread. gunicorn drains
    only 64 KB of it before it reuses the connection, and otherwise closes
    it after having announced keep-alive: a proxy that keeps connections to
    the app (nginx's upstream `keepalive`) may send the next request on the
    closing connection and answer it with a 502. Up to the app's own limit
    (`DATA_UPLOAD_MAX_MEMORY_SIZE`, which nginx's `client_max_body_size`
    matches and has already buffered) is read and dropped here.
    """
    if resp.should_close():
        return
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    declared = environ.get("CONTENT_LENGTH") or ""
    if limit is not None and declared.isdigit() and int(declared) > limit:
        return  # more than the app takes: gunicorn closes the connection
    body, drained = environ["wsgi.input"], 0
    try:
        while (limit is None or drained <= limit) and (chunk := body.read(DRAIN_CHUNK_BYTES)):
            drained += len(chunk)
    except Exception:  # gunicorn's parse errors are not OSErrors; either way the connection closes
        worker.log.debug("Request body ended early", exc_info=True)


def post_worker_init(worker: Any) -> None:
    from metrics.counter import start_counter

    start_counter()


def worker_exit(server: Any, worker: Any) -> None:
    # The arbiter also calls this for a worker that is already gone.
    counter = sys.modules.get("metrics.counter")
    if counter is not None and worker.pid == os.getpid():
        counter.shutdown_counter()


# prometheus-client's multiprocess mode (see README, "Operations"): each worker writes its metrics to files
# in PROMETHEUS_MULTIPROC_DIR; a new server starts from an empty directory, a dead worker's gauges go.
def clear_prometheus_multiprocess_files() -> None:
    """Starts the metrics of this instance afresh: the files of a previous run's workers would add up."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
