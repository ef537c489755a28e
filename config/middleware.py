"""One log line per request: method, path, status and duration."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.functional import empty

from config.logging_utils import log_event

logger = logging.getLogger("request")

# URL parameters that are secrets (the calendar feed token, password-reset links): never written to logs.
SECRET_URL_KWARGS = frozenset({"token", "uidb64"})


def loggable_path(request: HttpRequest) -> str:
    """The request path with secret URL parameters replaced by ***; the query string is left out."""
    path = request.path
    match = request.resolver_match
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(str(value), "***")
    return path


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        log_event(
            logger,
            "request",
            method=request.method,
            path=loggable_path(request),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user=loaded_user_id(request),
        )
        return response


def loaded_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request already loaded the user, else None.

    Never loads it: that would cost session and user queries on requests that did not need them (the
    health probe, the calendar feed) and add `Vary: Cookie` to their responses.
    """
    wrapped: Any = getattr(getattr(request, "user", None), "_wrapped", empty)
    if wrapped is empty or wrapped is None or not wrapped.is_authenticated:
        return None
    return int(wrapped.pk)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user.

    Learner pages, the settings page (which shows the secret calendar-feed URL) and the notes export must not
    be kept by a shared cache or proxy, nor on disk by the browser: `Vary: Cookie` alone does not forbid it.
    Responses that never loaded the user (static files, the health probe, the token-authenticated calendar
    feed) are left as they are.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if loaded_user_id(request) is not None:
            patch_cache_control(response, private=True, no_store=True)
        return response
