"""gunicorn settings, read from `./gunicorn.conf.py` by default.

The request counter's hooks: each worker joins the counter's read barrier
and starts its flusher as soon as it has booted, and hands over what it
still holds when it exits. With `PROMETHEUS_MULTIPROC_DIR` set, the
metrics' multiprocess hooks too.
"""

import os
import sys
from typing import Any


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
def on_starting(server: Any) -> None:
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
