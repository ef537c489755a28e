"""The weekend review of one plan week: its topics, what is still open, the week's notes and resources."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from progress.models import DayNote, WeekNote
from progress.resources import Entry, entries, plan_resources
from progress.services import Overview
from progress.structure import DayItem, TaskItem, WeekItem


def week_to_review(ov: Overview) -> int:
    """The plan week of the last study day due by today (the week just studied), else the first week."""
    due = min(max(ov.schedule.days_due_by(ov.today), 1), ov.structure.last_day)
    day = ov.structure.days.get(due)
    return day.week.number if day else 1


@dataclass(frozen=True)
class Review:
    week: WeekItem
    days: list[DayItem]
    open_tasks: list[TaskItem]
    notes: list[DayNote]
    resources: list[Entry]
    note: WeekNote | None


def week_of(ov: Overview, number: int) -> WeekItem:
    """Week `number` of the learner's plan, or 404 (no query: the plan's cached structure)."""
    week = next((w for p in ov.structure.phases for w in p.weeks if w.number == number), None)
    if week is None:
        raise Http404("no such week in this plan")
    return week


def review(ov: Overview, number: int) -> Review:
    """Week `number` of the learner's plan (404 if there is none), in a fixed number of queries."""
    week = week_of(ov, number)
    days = [ov.structure.days[n] for n in week.day_numbers]
    tasks = [t for d in days for t in d.tasks]
    cited = {c.pk for t in tasks for c in t.cites}
    notes = DayNote.objects.filter(enrollment=ov.enrollment, day_id__in=[d.pk for d in days]).exclude(body="")
    resources = plan_resources(ov.enrollment).filter(pk__in=cited).order_by("section__position", "position")
    return Review(
        week=week,
        days=days,
        open_tasks=[t for t in tasks if t.pk not in ov.ticked],
        notes=list(notes.select_related("day").order_by("day__number")),
        resources=entries(ov.enrollment, resources),
        note=WeekNote.objects.filter(
            enrollment=ov.enrollment, week__plan_id=ov.enrollment.plan_id, week__number=number
        ).first(),
    )
