"""Absolute links to the site, for places with no request to build them from (emails, the calendar feed).

Always from SITE_URL, never from a request's Host header: a forged Host must not end up in a link a learner
is sent or subscribes to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` returns it) on the site's own address."""
    return settings.SITE_URL + path


# runserver's ADDRPORT: "8000", "HOST:8000" or "[IPv6]:8000".
_ADDRPORT = re.compile(r"(?:(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(?P<port>\d{1,5})")
# Addresses that mean "every interface": a browser on this machine reaches them at the loopback address.
_ANY_INTERFACE = {"0": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]"}  # noqa: S104 - names, not binds


def site_url_for_addrport(addrport: str) -> str | None:
    """The base URL under which `runserver ADDRPORT` answers a browser on this machine (pure), or None when
    `addrport` is not one runserver takes. The quickstart uses it as SITE_URL unless that is set."""
    match = _ADDRPORT.fullmatch(addrport.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        return None
    host = match["host"] or "127.0.0.1"
    return f"http://{_ANY_INTERFACE.get(host, host)}:{int(match['port'])}"


@dataclass(frozen=True)
class FeedLinks:
    """The ways to subscribe to one calendar feed: the plain URL to copy, and two one-click links."""

    url: str
    webcal: str
    google: str


def feed_links(url: str) -> FeedLinks:
    """`url` (an absolute http(s) feed URL) as a webcal:// link, which calendar apps (Apple, Outlook, Thunderbird)
    open as a subscription, and as Google Calendar's "add by URL" page, which takes that webcal URL as `cid`."""
    webcal = urlunsplit(urlsplit(url)._replace(scheme="webcal"))
    return FeedLinks(url, webcal, "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""))
