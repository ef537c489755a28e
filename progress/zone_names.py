"""The time zones learners pick from: real places only, the common ones first with human names.

`zoneinfo.available_timezones()` also lists legacy aliases (PRC, US/Eastern, Asia/Calcutta), fixed offsets
with inverted signs (Etc/GMT-8 is UTC+8) and host-dependent files (localtime); a learner who picks one of
those gets reminders at a surprising time. The list offered is the zone database's own table of places,
`zone.tab` (one or more zones per country, as people know them), plus UTC. An alias typed in (or sent by a
browser that reports the old name, as some report Asia/Calcutta) is read as the place it stands for.
"""

from __future__ import annotations

import importlib.resources
import logging
import zoneinfo
from functools import cache
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

UTC = "UTC"

# The zones most learners of a plan in this language live in, with the names people call them by.
COMMON_ZONES: dict[str, list[tuple[str, Promise]]] = {
    "zh": [
        ("Asia/Shanghai", _("Beijing time")),
        ("Asia/Hong_Kong", _("Hong Kong time")),
        ("Asia/Taipei", _("Taipei time")),
        ("Asia/Singapore", _("Singapore time")),
        ("Asia/Tokyo", _("Japan time")),
        ("America/Los_Angeles", _("US Pacific time")),
        ("America/New_York", _("US Eastern time")),
        ("Europe/London", _("UK time")),
        ("Europe/Berlin", _("Central European time")),
        ("Australia/Sydney", _("Sydney time")),
        (UTC, _("Coordinated Universal Time")),
    ],
    "en": [
        ("America/New_York", _("US Eastern time")),
        ("America/Chicago", _("US Central time")),
        ("America/Denver", _("US Mountain time")),
        ("America/Los_Angeles", _("US Pacific time")),
        ("Europe/London", _("UK time")),
        ("Europe/Berlin", _("Central European time")),
        ("Asia/Kolkata", _("India time")),
        ("Asia/Singapore", _("Singapore time")),
        ("Asia/Shanghai", _("Beijing time")),
        ("Australia/Sydney", _("Sydney time")),
        (UTC, _("Coordinated Universal Time")),
    ],
}


def _tz_file(name: str) -> str:
    """A text file of the zone database: the tzdata package's (a dependency, so always the same on every
    host), else the system's."""
    try:
        return importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        for root in zoneinfo.TZPATH:
            path = Path(root) / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
    log.warning("no %s in the zone database; offering every zone", name)
    return ""


@cache
def place_zones() -> tuple[str, ...]:
    """Every zone a learner may pick, sorted: the places of zone.tab that this Python can load, and UTC."""
    available = zoneinfo.available_timezones()
    places = {
        fields[2]
        for line in _tz_file("zone.tab").splitlines()
        if line and not line.startswith("#") and len(fields := line.split("\t")) >= 3
    }
    places = (places & available) or (available - {"localtime", "posixrules", "Factory"})
    return tuple(sorted(places | {UTC}))


@cache
def aliases() -> dict[str, str]:
    """Legacy names -> the place zone they stand for ("PRC" -> "Asia/Shanghai"), from tzdata.zi's links."""
    links = {}
    for line in _tz_file("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    places = set(place_zones())
    result = {}
    for alias, target in links.items():
        seen = 0
        while target not in places and target in links and seen < 5:  # links to links, rarely
            target, seen = links[target], seen + 1
        if target in places and alias not in places:
            result[alias] = target
    result.update({"Etc/UTC": UTC, "Etc/UCT": UTC, "Etc/Universal": UTC, "Etc/Zulu": UTC, "Etc/GMT": UTC})
    return result


@cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in place_zones()}


def canonical_zone(text: str) -> str | None:
    """The place zone `text` names (exact, any case, spaces for underscores, or a legacy alias), or None."""
    name = text.strip().replace(" ", "_")
    if not name:
        return None
    folded = name.casefold()
    found = _by_folded_name().get(folded)
    if found:
        return found
    alias = next((a for a in aliases() if a.casefold() == folded), None)
    return aliases()[alias] if alias else None


def plan_language(*texts: str) -> str:
    """ "zh" for a plan written in Chinese (any CJK ideograph in its title or summary), else "en"."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for text in texts for ch in text) else "en"


def zone_options(language: str) -> list[tuple[str, str]]:
    """(zone, human name) for the picker: the common zones of the plan's language first, named; then every
    other place zone, its name being the zone itself."""
    common = COMMON_ZONES.get(language, COMMON_ZONES["en"])
    names = {zone for zone, _label in common}
    return [(zone, str(label)) for zone, label in common] + [(z, "") for z in place_zones() if z not in names]
