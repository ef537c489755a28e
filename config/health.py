"""/healthz: does this instance reach its database and Redis?

Answers 200 when everything configured answers, 503 otherwise, naming only *which* part failed
({"database": "ok", "redis": "error"}): no hosts, URLs or error texts, since the endpoint has no login.
The failure details go to the log instead.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

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


class CheckTimedOut(Exception):
    pass


def _time_out(signum: int, frame: FrameType | None) -> None:
    raise CheckTimedOut


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise CheckTimedOut in the block after `seconds`, however the block waits.

    A database that accepts connections but never answers leaves the client waiting on a socket that no
    server-side timeout will ever end; an interval timer interrupts that wait. Signals reach only the main
    thread, where gunicorn's sync workers serve requests; elsewhere (runserver's threads) the block runs
    without this limit and relies on the connect timeout.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _time_out)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_database() -> bool:
    try:
        with time_limit(settings.HEALTHZ_DB_TIMEOUT), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:
        if isinstance(exc, CheckTimedOut):
            # Interrupted mid-conversation: the connection's state is unknown, so no later request may reuse it.
            connection.close()
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
