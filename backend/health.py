"""`GET /health/`: do the database and (if configured) Redis answer?"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
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
    checks = {"database": database_is_up()}
    if settings.REDIS_URL:
        checks["redis"] = redis_is_up()
    statuses = {name: "ok" if up else "down" for name, up in checks.items()}
    down = [name for name, up in checks.items() if not up]
    if not down:
        return JsonResponse({"status": "ok", "checks": statuses})
    return problem_response(503, f"Down: {', '.join(down)}.", checks=statuses)
