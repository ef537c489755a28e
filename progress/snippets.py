"""The snippet library: fenced code blocks collected from a learner's day, week and resource notes.

Snippets are read from the notes each time rather than stored, so the library is always what the notes
say: editing a note edits its snippets, and nothing is lost or left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from progress.highlight import code_html, language_of
from progress.models import DayNote, Enrollment, ResourceProgress, WeekNote


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def fences(body: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced code block in a Markdown text, in order."""
    return [(language_of(t.info), t.content) for t in _parser().parse(body) if t.type == "fence"]


@dataclass(frozen=True)
class Snippet:
    language: str
    code: str
    source: str  # what the note is about: "Day 3", "Week 2", a resource's text
    url: str  # the note it comes from

    @property
    def html(self) -> SafeString:
        return mark_safe(code_html(self.code, self.language))  # noqa: S308 - Pygments escapes the code


@dataclass(frozen=True)
class Source:
    body: str
    label: str
    url: str
    order: tuple[int, int]


def _sources(enrollment: Enrollment) -> list[Source]:
    """Every non-empty note of the learner in one plan: days, then weeks, then resources (three queries)."""
    days = DayNote.objects.filter(enrollment=enrollment).exclude(body="").select_related("day")
    weeks = WeekNote.objects.filter(enrollment=enrollment).exclude(body="").select_related("week")
    resources = ResourceProgress.objects.filter(enrollment=enrollment).exclude(body="").select_related("resource")
    found = [
        Source(
            n.body,
            _("Day %(number)s") % {"number": n.day.number},
            reverse("progress:day", args=[n.day.number]) + "#note",
            (0, n.day.number),
        )
        for n in days
    ]
    found += [
        Source(
            n.body,
            _("Week %(number)s") % {"number": n.week.number},
            reverse("progress:review", args=[n.week.number]) + "#note",
            (1, n.week.number),
        )
        for n in weeks
    ]
    found += [
        Source(
            n.body, n.resource.text, reverse("progress:resource", args=[n.resource_id]) + "#note", (2, n.resource_id)
        )
        for n in resources
    ]
    return sorted(found, key=lambda s: s.order)


def library(enrollment: Enrollment, query: str = "", language: str = "") -> list[Snippet]:
    """The learner's snippets in note order, those containing `query` (any case) in `language` if given."""
    needle = query.casefold()
    return [
        Snippet(lang, code, source.label, source.url)
        for source in _sources(enrollment)
        for lang, code in fences(source.body)
        if (not language or lang == language) and (not needle or needle in code.casefold())
    ]


def languages(snippets: list[Snippet]) -> list[str]:
    return sorted({s.language for s in snippets if s.language})
