"""Helpers for the hardened settings."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes' login lockout.

    Behind a TLS proxy (DJANGO_BEHIND_PROXY=1) REMOTE_ADDR is the proxy, so take the right-most
    X-Forwarded-For entry: the one the proxy itself appended. Entries left of it come from the client and
    could be forged to dodge the lockout.
    """
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
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
