"""One log line per request: method, path, status and duration."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

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
        user = getattr(request, "user", None)
        log_event(
            logger,
            "request",
            method=request.method,
            path=loggable_path(request),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user=user.pk if user is not None and user.is_authenticated else None,
        )
        return response
