"""Absolute links to the site, for places with no request to build them from (emails, the calendar feed).

Always from SITE_URL, never from a request's Host header: a forged Host must not end up in a link a learner
is sent or subscribes to.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` returns it) on the site's own address."""
    return settings.SITE_URL + path


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
