"""Our own error pages, drawn with the site's stylesheet (Django's built-in ones use inline styles, which the
Content-Security-Policy blocks)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted without a valid token (an old tab, cookies blocked, another site).

    The reason stays out of the page: it only helps an attacker tune a forgery, and the remedy for a real
    user is the same whatever it is.
    """
    return render(request, "403_csrf.html", status=403)
