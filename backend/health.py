"""`GET /health/`: do the database and (if configured) Redis answer, and are the migrations applied?"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from backend.problems import problem_response

logger = logging.getLogger(__name__)

HEALTH_CHECK_TIMEOUT_SECONDS = 1.0


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return False
    return True


class Migrations:
    """Whether every migration is applied; once they are, remembered (a running server sees no unapply)."""

    applied = False

    @classmethod
    def are_applied(cls) -> bool:
        if not cls.applied:
            executor = MigrationExecutor(connection)
            cls.applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        return cls.applied


def redis_is_up() -> bool:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=HEALTH_CHECK_TIMEOUT_SECONDS,
        socket_timeout=HEALTH_CHECK_TIMEOUT_SECONDS,
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        logger.warning("Health check: Redis does not answer", exc_info=True)
        return False
    finally:
        client.close()


@require_safe  # GET, and HEAD for load balancers that probe with it
def health(request: HttpRequest) -> JsonResponse:
    """200 when the instance can serve; 503 naming what is down, or the migrations still pending."""
    statuses = {"database": "ok" if database_is_up() else "down"}
    if statuses["database"] == "ok":
        statuses["migrations"] = "ok" if Migrations.are_applied() else "pending"
    if settings.REDIS_URL:
        statuses["redis"] = "ok" if redis_is_up() else "down"
    failing = [f"{name} {status}" for name, status in statuses.items() if status != "ok"]
    if not failing:
        return JsonResponse({"status": "ok", "checks": statuses})
    return problem_response(503, f"Not ready: {', '.join(failing)}.", checks=statuses)
