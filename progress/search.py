"""Search across the plan (tasks, topics, week titles, resources) and the learner's own notes.

One query per kind of thing, whatever the plan's size or the number of hits. On PostgreSQL a row matches
when it contains the query as a substring (so Chinese, which has no spaces, matches "对比学习" inside a
longer text) or when its full-text vector matches the query's words in any order; hits are ranked by
pg_trgm word similarity. Other databases (SQLite in development) use the substring test alone: the same
interface, simpler matching. Notes include their code blocks, so snippets are found through their note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from curriculum.models import Resource, Session, Task, Week
from progress.models import DayNote, Enrollment, ResourceProgress, WeekNote

MAX_QUERY = 200
PER_KIND = 20  # hits shown per kind of thing
CONTEXT = 60  # characters of a long text shown either side of the first match


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    text: str
    query: str

    @property
    def highlighted(self) -> SafeString:
        return highlight(excerpt(self.text, self.query), self.query)


def terms(query: str) -> list[str]:
    """The whole query and its words, longest first (so the longest match is marked)."""
    words = {query, *query.split()}
    return sorted((w for w in words if w), key=len, reverse=True)


def excerpt(text: str, query: str) -> str:
    """`text`, or for a long one the part around its first match."""
    if len(text) <= 2 * CONTEXT + len(query):
        return text
    lowered = text.casefold()
    at = min((i for i in (lowered.find(t.casefold()) for t in terms(query)) if i >= 0), default=0)
    start = max(at - CONTEXT, 0)
    end = min(at + len(query) + CONTEXT, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with each match of the query or its words wrapped in <mark>."""
    pattern = re.compile("|".join(re.escape(t) for t in terms(query)), re.IGNORECASE) if query.strip() else None
    if pattern is None:
        return escape(text)
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts += [str(escape(text[last : m.start()])), f"<mark>{escape(m.group())}</mark>"]
        last = m.end()
    parts.append(str(escape(text[last:])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above


def matching[M: Model](rows: QuerySet[M], field: str, query: str) -> QuerySet[M]:
    """`rows` whose `field` matches `query`, best first, at most PER_KIND."""
    contains = Q(**{f"{field}__icontains": query})
    if connection.vendor != "postgresql":
        return rows.filter(contains)[:PER_KIND]
    words = SearchQuery(query, config="simple", search_type="plain")
    ranked: QuerySet[M] = rows.annotate(  # type: ignore[assignment] # annotate() loses the model type in the stubs
        _vector=SearchVector(field, config="simple"), _similar=TrigramWordSimilarity(query, field)
    )
    return ranked.filter(contains | Q(_vector=words)).order_by("-_similar", "pk")[:PER_KIND]


def _day(n: int, anchor: str = "") -> tuple[str, str]:
    return _("Day %(number)s") % {"number": n}, reverse("progress:day", args=[n]) + anchor


def _week(n: int, anchor: str = "") -> tuple[str, str]:
    return _("Week %(number)s") % {"number": n}, reverse("progress:review", args=[n]) + anchor


def _resource_url(pk: int, anchor: str = "") -> str:
    return reverse("progress:resource", args=[pk]) + anchor


def _hits_in_plan(plan: int, query: str) -> list[Hit]:
    tasks = Task.objects.filter(session__day__plan_id=plan).select_related("session__day")
    topics = Session.objects.filter(day__plan_id=plan).select_related("day")
    weeks = Week.objects.filter(plan_id=plan)
    resources = Resource.objects.filter(section__plan_id=plan).select_related("section")
    return (
        [
            Hit(_("Task"), *_day(t.session.day.number, f"#task-{t.pk}"), t.text, query)
            for t in matching(tasks, "text", query)
        ]
        + [Hit(_("Topic"), *_day(s.day.number), s.topic, query) for s in matching(topics, "topic", query)]
        + [Hit(_("Week"), *_week(w.number), w.title, query) for w in matching(weeks, "title", query)]
        + [
            Hit(_("Resource"), r.section.heading, _resource_url(r.pk), r.text, query)
            for r in matching(resources, "text", query)
        ]
    )


def _hits_in_notes(enrollment: Enrollment, query: str) -> list[Hit]:
    days = DayNote.objects.filter(enrollment=enrollment).select_related("day")
    weeks = WeekNote.objects.filter(enrollment=enrollment).select_related("week")
    resources = ResourceProgress.objects.filter(enrollment=enrollment).select_related("resource")
    return (
        [Hit(_("Your note"), *_day(n.day.number, "#note"), n.body, query) for n in matching(days, "body", query)]
        + [
            Hit(_("Your weekly reflection"), *_week(n.week.number, "#note"), n.body, query)
            for n in matching(weeks, "body", query)
        ]
        + [
            Hit(_("Your resource note"), n.resource.text, _resource_url(n.resource_id, "#note"), n.body, query)
            for n in matching(resources, "body", query)
        ]
    )


def search(enrollment: Enrollment, query: str) -> list[Hit]:
    """Hits for `query`: tasks, topics, weeks, resources, then the learner's notes (seven queries)."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    return _hits_in_plan(enrollment.plan_id, query) + _hits_in_notes(enrollment, query)
