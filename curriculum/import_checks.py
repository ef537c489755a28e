"""What an import refuses before it reads or writes a row: a bad slug, over-long titles, numbers that do not fit.

Refusing up front gives the instructor the document's line; PostgreSQL would refuse the same values halfway
through the import with a message about a column.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models

from curriculum import document as d
from curriculum.models import Phase, Plan, ResourceSection, Session, Week
from curriculum.positions import MAX_POSITION


class PlanImportError(Exception):
    """An import that was refused; nothing was written. `line` points into the document when it helps."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def check_document(doc: d.Document, slug: str) -> None:
    """Refuse, before anything is read or written, a slug or document the database could not store."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise PlanImportError(f"'{slug}' is not a valid slug: use letters, numbers, hyphens and underscores") from None
    slug_limit = Plan._meta.get_field("slug").max_length or 0
    if len(slug) > slug_limit:
        raise PlanImportError(f"the slug is {len(slug)} characters long; at most {slug_limit} fit")
    _check_lengths(doc)


def _check_lengths(doc: d.Document) -> None:
    """Refuse over-long titles before writing: PostgreSQL would refuse them mid-import with a less helpful error."""

    def check(model: type[models.Model], name: str, value: str, line: int | None, what: str) -> None:
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit:
            raise PlanImportError(f"the {what} is {len(value)} characters long; at most {limit} fit", line)

    check(Plan, "title", doc.title, 1, "title")
    check(Plan, "overview_heading", doc.overview_heading, None, "overview heading")
    check(Plan, "resources_heading", doc.resources_heading, None, "resources heading")
    for phase in doc.phases:
        check(Phase, "title", phase.title, phase.line, f"title of month {phase.number}")
        for week in phase.weeks:
            check(Week, "title", week.title, week.line, f"title of week {week.number}")
            for day in week.days:
                for session in day.sessions:
                    check(Session, "topic", session.topic, session.line, f"topic of a session on day {day.number}")
    for section in doc.resource_sections:
        check(ResourceSection, "heading", section.heading, section.line, "resource section heading")
    _check_numbers(doc)


def _check_numbers(doc: d.Document) -> None:
    # Numbers and positions are PostgreSQL smallints, and reordered rows are parked above MAX_POSITION: a
    # bigger document is refused up front with its line, not halfway through the import by the database.
    def check(count: int, line: int | None, what: str) -> None:
        if count > MAX_POSITION:
            raise PlanImportError(f"{what}: {count}; at most {MAX_POSITION} fit", line)

    for week in doc.weeks:
        check(week.number, week.line, "week number")
        for day in week.days:
            check(day.number, day.line, "day number")
            check(len(day.sessions), day.line, f"sessions on day {day.number}")
            for session in day.sessions:
                check(len(session.tasks), session.line, f"tasks in a session on day {day.number}")
    check(len(doc.resource_sections), None, "resource sections")
    for section in doc.resource_sections:
        check(len(section.items), section.line, f"items in the resource section '{section.heading}'")
