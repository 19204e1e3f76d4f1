"""The project's settings with one trivial view added: the floor a request costs."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
