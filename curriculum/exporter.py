"""Read a plan's rows back into a Document (the inverse of the importer), in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch

from curriculum import document as d
from curriculum.models import Day, Plan, Resource


def plan_to_document(plan: Plan) -> d.Document:
    phases = list(plan.phases.order_by("number"))
    weeks = list(plan.weeks.order_by("number"))
    days_by_week: dict[int, list[d.Day]] = defaultdict(list)
    for day in Day.objects.filter(plan=plan).order_by("number").with_sessions():
        sessions = tuple(d.Session(s.slot, s.topic, tuple(t.text for t in s.tasks.all())) for s in day.sessions.all())
        days_by_week[day.week_id].append(d.Day(day.number, sessions))
    weeks_by_phase: dict[int, list[d.Week]] = defaultdict(list)
    for week in weeks:
        weeks_by_phase[week.phase_id].append(d.Week(week.number, week.title, tuple(days_by_week[week.pk])))
    sections = plan.resource_sections.order_by("position").prefetch_related(
        Prefetch("items", queryset=Resource.objects.order_by("position"))
    )
    return d.Document(
        title=plan.title,
        overview_heading=plan.overview_heading,
        # Browsers send textarea edits with CRLF line ends; the document format uses LF.
        overview=plan.summary.replace("\r\n", "\n"),
        phases=tuple(d.Phase(p.number, p.title, tuple(weeks_by_phase[p.pk])) for p in phases),
        resources_heading=plan.resources_heading,
        resource_sections=tuple(d.ResourceSection(s.heading, tuple(r.text for r in s.items.all())) for s in sections),
    )


def export_plan(plan: Plan) -> str:
    return d.render(plan_to_document(plan))


def checked_export(plan: Plan) -> tuple[str, str]:
    """The plan's document, and why the importer would refuse it ("" when it would import again): admin edits
    can break the format (a session left without tasks, a gap in day numbers). Raises ValueError when the plan
    cannot be written as a document at all (e.g. a month number outside 1..99)."""
    text = export_plan(plan)
    try:
        d.parse(text)
    except d.ParseError as exc:
        return text, str(exc)
    return text, ""
