"""Loading a learner's time zone by name, whatever the database holds.

The forms only offer real zones, but a row can be written around them (a raw UPDATE, an old dump). Python's
zoneinfo then fails in three different ways: ZoneInfoNotFoundError (a KeyError) for unknown names,
ValueError for malformed keys, and IsADirectoryError (an OSError) for "Asia" or "Etc", which are folders
of the zone database. One such row must not turn the learner's every page into a 500.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

# The model's default zone: what a learner with an unreadable zone is shown until they pick one in settings.
FALLBACK_ZONE = "Asia/Shanghai"
ZONE_ERRORS = (KeyError, ValueError, OSError)


def load_zone(name: str) -> ZoneInfo | None:
    """The zone called `name`, or None when zoneinfo cannot load it."""
    try:
        return ZoneInfo(name)
    except ZONE_ERRORS:
        return None


def zone_or_fallback(name: str) -> ZoneInfo:
    zone = load_zone(name)
    if zone is None:
        log.warning("unknown time zone %r; using %s", name, FALLBACK_ZONE)
        return ZoneInfo(FALLBACK_ZONE)
    return zone
