"""The floor: one plain view behind Django's common middleware only, under the same gunicorn."""

from backend.settings import *  # noqa: F403

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "benchmarks.floor_urls"
