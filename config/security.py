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
