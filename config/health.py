"""/healthz: does this instance reach its database and Redis?

Answers 200 when everything configured answers, 503 otherwise, naming only *which* part failed
({"database": "ok", "redis": "error"}): no hosts, URLs or error texts, since the endpoint has no login.
The failure details go to the log instead.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.logging_utils import log_event

logger = logging.getLogger("health")

# A health probe must answer quickly even when a service hangs rather than refuses.
REDIS_TIMEOUT_SECONDS = 2.0


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:
        log_event(logger, "health_failed", logging.WARNING, check="database", error=type(exc).__name__)
        return False


def check_redis(url: str) -> bool:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except Exception as exc:
        log_event(logger, "health_failed", logging.WARNING, check="redis", error=type(exc).__name__)
        return False
    finally:
        client.close()


@never_cache
# GET and HEAD: load balancers and uptime monitors often probe with HEAD, and a 405 would read as "down".
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results = {"database": check_database()}
    if settings.REDIS_URL:
        results["redis"] = check_redis(settings.REDIS_URL)
    body = {name: "ok" if ok else "error" for name, ok in results.items()}
    return JsonResponse(body, status=200 if all(results.values()) else 503)
