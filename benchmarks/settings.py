"""The project's settings with `GET /bench/ping/` added: the whole middleware stack, no view work."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
