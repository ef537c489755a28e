"""Attempt counters for the account pages that anybody may post to (password reset, sign-up), and for a
signed-in learner's requests that send email (the test reminder).

Fixed windows in the "throttle" cache (Redis when REDIS_URL is set, so every web process shares the counts;
otherwise files under var/). Each attempt counts once per key: the client's address and the email address
asked about, so neither one client trying many addresses nor many clients hammering one address gets far.
Keys are hashed: the cache never holds the addresses themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render


def _key(scope: str, kind: str, value: str) -> str:
    return f"throttle:{scope}:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _over(key: str, limit: int, minutes: int | None = None) -> bool:
    cache = caches["throttle"]
    timeout = (minutes or settings.ACCOUNT_THROTTLE_MINUTES) * 60
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(key, 1, timeout=timeout)
        count = 1
    return count > limit


def user_attempts_exceeded(scope: str, user_id: int, limit: int, minutes: int) -> bool:
    """Count one attempt by a signed-in user at `scope` (e.g. a test email); True once `limit` per window of
    `minutes` is passed. Keyed on the account, so it holds across browsers and addresses."""
    return _over(_key(scope, "user", str(user_id)), limit, minutes)


def attempts_exceeded(scope: str, request: HttpRequest, emails: Iterable[str]) -> bool:
    """Count this attempt against the client and each address; True when any limit is now passed."""
    client = request.META.get("REMOTE_ADDR") or "unknown"
    over = [_over(_key(scope, "client", client), settings.ACCOUNT_THROTTLE_PER_CLIENT)]
    for email in {e.strip().lower() for e in emails if e.strip()}:
        over.append(_over(_key(scope, "address", email), settings.ACCOUNT_THROTTLE_PER_ADDRESS))
    return any(over)


type View = Callable[..., HttpResponseBase]


def throttled(scope: str) -> Callable[[View], View]:
    """Refuse a POST with 429 once its client or the email address it names passed the limit for `scope`.

    The refusal depends only on attempt counts, never on whether the address has an account.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if request.method == "POST" and attempts_exceeded(scope, request, [request.POST.get("email", "")]):
                return render(request, "registration/too_many_attempts.html", status=429)
            return view(request, *args, **kwargs)

        return guarded

    return decorate
