"""`GET /bench/ping/` and nothing else."""

from django.urls import path

from benchmarks.urls import ping

urlpatterns = [path("bench/ping/", ping)]
