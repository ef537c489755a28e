"""Helpers for the hardened settings."""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes' login lockout.

    REMOTE_ADDR, which config.proxies.ForwardedHeadersMiddleware has already set to the real client when
    the request came through a trusted proxy. axes' own default would read X-Forwarded-For from anyone.
    """
    return request.META.get("REMOTE_ADDR")


# django-axes keeps the attempted username in a varchar(255). Django's login form checks no length (it only
# sets the input's maxlength), so a longer name reached axes and PostgreSQL refused the row: a 500 instead of
# "wrong username or password". No account has a name that long (User.username allows 150).
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request: HttpRequest, credentials: dict[str, object] | None = None) -> str | None:
    """The username django-axes records and locks on: axes' own choice, cut to what its table holds."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username")
    return None if username is None else str(username)[:AXES_USERNAME_MAX_LENGTH]


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a lockout per username from all addresses together.

    Per (username, address) pair the limit is AXES_FAILURE_LIMIT, as axes counts it. Across addresses a
    username is also locked once AXES_USERNAME_FAILURE_LIMIT failures for it accumulate within the cool-off,
    so guessing from many addresses (a botnet, or any client a misconfigured proxy lets choose its address)
    is bounded too. The higher second limit keeps one address from locking a stranger out on its own.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures: int = super().get_failures(request, credentials)
        limit = settings.AXES_USERNAME_FAILURE_LIMIT
        username = get_client_username(request, credentials)
        if not limit or username is None:
            return failures
        attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if total >= limit:
            # axes compares get_failures() with its own limit: report "at the limit" to lock.
            return max(failures, int(get_failure_limit(request, credentials)))
        return failures
