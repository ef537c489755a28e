"""Which client sent a request, when a reverse proxy may stand in between.

Forwarded headers (X-Forwarded-For, X-Forwarded-Proto, ...) are believed only from the addresses in
DJANGO_TRUSTED_PROXIES. From anybody else they are deleted before any other code sees them: a client that
reaches gunicorn directly could otherwise pick a fresh address per login attempt and never be locked out,
or claim https. From a trusted proxy, REMOTE_ADDR becomes the address the proxy chain says it served,
so the lockout, the throttles and the request log all see the real client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from config.env import IPNetwork

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted(address: str, proxies: Iterable[IPNetwork]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in proxies)


def client_address(peer: str, forwarded_for: str, proxies: Iterable[IPNetwork]) -> str:
    """The client's address: walk X-Forwarded-For from the right past our own proxies.

    Each proxy appends the address it was reached from, so the right-most entry that is not one of ours is
    the client. Entries left of it were written by the client and are ignored. A malformed entry stops the
    walk at the last proxy that vouched for it.
    """
    proxies = tuple(proxies)
    if not is_trusted(peer, proxies):
        return peer
    current = peer
    for hop in reversed([hop.strip() for hop in forwarded_for.split(",") if hop.strip()]):
        if _address(hop) is None:
            return current
        current = str(_address(hop))
        if not is_trusted(current, proxies):
            return current
    return current


class ForwardedHeadersMiddleware:
    """First in MIDDLEWARE: drop forwarded headers from untrusted peers, resolve the client from trusted ones."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        proxies = settings.TRUSTED_PROXIES
        if is_trusted(peer, proxies):
            meta["REMOTE_ADDR"] = client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", ""), proxies)
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
