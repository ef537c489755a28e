"""Loading a learner's time zone by name, whatever the database holds.

The forms only offer real zones, but a row can be written around them (a raw UPDATE, an old dump). Python's
zoneinfo then fails in three different ways: ZoneInfoNotFoundError (a KeyError) for unknown names,
ValueError for malformed keys, and IsADirectoryError (an OSError) for "Asia" or "Etc", which are folders
of the zone database. One such row must not turn the learner's every page into a 500.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

log = logging.getLogger(__name__)

# A new enrollment's zone (the model's default, the enrol form's first choice), and what a learner with an
# unreadable zone is shown until they pick one in settings.
DEFAULT_TIME_ZONE = "Asia/Shanghai"
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
        log.warning("unknown time zone %r; using %s", name, DEFAULT_TIME_ZONE)
        return ZoneInfo(DEFAULT_TIME_ZONE)
    return zone


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """The calendar date in `time_zone` at `now` (default: this instant); a learner's "today"."""
    return (now or timezone.now()).astimezone(zone_or_fallback(time_zone)).date()
