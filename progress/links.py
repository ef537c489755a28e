"""Absolute links to the site, for places with no request to build them from (emails, the calendar feed).

Always from SITE_URL, never from a request's Host header: a forged Host must not end up in a link a learner
is sent or subscribes to.
"""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` returns it) on the site's own address."""
    return settings.SITE_URL + path
