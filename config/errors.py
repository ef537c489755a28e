"""Our own error pages, drawn with the site's stylesheet and translated (Django's built-in ones use inline styles,
which the Content-Security-Policy blocks, and are English only).

The 400, 403, 404 and 500 handlers render their template without the request, so no context processor runs:
an error page reads neither the session, the user nor the database. For 500 that is the point (the database may
be what failed); for the others it keeps a wrong URL as cheap as it can be. The language is the one the
middleware activated for the request, so a learner reads them in their own language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def _page(template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page("500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted without a valid token (an old tab, cookies blocked, another site).

    The reason stays out of the page: it only helps an attacker tune a forgery, and the remedy for a real
    user is the same whatever it is.
    """
    return render(request, "403_csrf.html", status=403)
