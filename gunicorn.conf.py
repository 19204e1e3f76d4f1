"""gunicorn settings, read from `./gunicorn.conf.py` by default.

The request counter's hooks: each worker joins the counter's read barrier
and starts its flusher as soon as it has booted, and hands over what it
still holds when it exits.
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
