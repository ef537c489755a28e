"""Template context for the site-wide navigation (templates/base.html)."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from progress.access import learner_enrollments

# First path segment -> nav entry, so sub-pages (/calendar/2026/03/) light up their section.
_SECTIONS = {
    "": "today",
    "calendar": "calendar",
    "days": "calendar",
    "plan": "plan",
    "progress": "progress",
    "settings": "settings",
    "days-off": "settings",
    "reschedule": "today",
    "enroll": "settings",
    "accounts": "settings",
}


def nav_section(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return _SECTIONS.get(first, "")


@cache
def nav_urls() -> dict[str, str]:
    """The navigation's links, reversed once per process: they do not depend on the request, and a dozen
    `{% url %}` tags on every page cost more than the rest of the header."""
    names = ("today", "calendar", "plan", "progress", "settings", "language", "enroll")
    urls = {name: reverse(f"progress:{name}") for name in names}
    urls.update({name: reverse(name) for name in ("login", "logout", "signup")})
    return urls


def learner_nav(request: HttpRequest) -> dict[str, object]:
    # Lazy: the enrollments query runs only when a page actually shows the learner's nav, and it is the
    # same cached query the view used via progress.access.current_enrollment().
    return {
        "nav_section": nav_section(request.path),
        "nav_learner": SimpleLazyObject(lambda: learner_enrollments(request)),
        "nav_urls": nav_urls(),
    }
