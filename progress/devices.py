"""A readable name for the browser behind a User-Agent header ("Firefox on Windows"), for the sessions page.

Pure: a string in, a string out. It recognises the common browsers and systems only, enough for a learner
to tell their phone from their laptop; anything else is an unknown browser or system, never an error.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe_device(user_agent: str) -> str:
    browser = _first(user_agent, BROWSERS) or _("Unknown browser")
    system = _first(user_agent, SYSTEMS) or _("an unknown system")
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
