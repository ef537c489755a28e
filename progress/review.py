"""The weekend review of one plan week: its topics, what is still open, the week's notes and resources."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from curriculum.models import Day, Resource, Task, Week
from progress.models import DayNote, Enrollment, WeekNote
from progress.resources import Entry, entries
from progress.services import Overview, learner_days


def week_to_review(ov: Overview) -> int:
    """The plan week of the last study day due by today (the week just studied), else the first week."""
    due = ov.schedule.days_due_by(ov.today)
    days = Day.objects.filter(plan_id=ov.enrollment.plan_id)
    row = days.filter(number__lte=max(due, 1)).order_by("-number").values_list("week__number", flat=True).first()
    return row or 1


@dataclass(frozen=True)
class Review:
    week: Week
    days: list[Day]  # with sessions and tasks (each task has `done`)
    open_tasks: list[Task]
    notes: list[DayNote]
    resources: list[Entry]
    note: WeekNote | None

    @property
    def done_ids(self) -> frozenset[int]:
        return frozenset(
            t.pk for d in self.days for s in d.sessions.all() for t in s.tasks.all() if getattr(t, "done", False)
        )


def review(enrollment: Enrollment, number: int) -> Review:
    """Week `number` of the learner's plan (404 if there is none), in a fixed number of queries."""
    week = get_object_or_404(Week.objects.filter(plan_id=enrollment.plan_id).select_related("phase"), number=number)
    days = list(learner_days(enrollment).filter(week=week).order_by("number"))
    tasks = [t for d in days for s in d.sessions.all() for t in s.tasks.all()]
    notes = list(
        DayNote.objects.filter(enrollment=enrollment, day__in=days)
        .exclude(body="")
        .select_related("day")
        .order_by("day__number")
    )
    cited = Resource.objects.filter(citations__task__in=[t.pk for t in tasks]).distinct().select_related("section")
    return Review(
        week=week,
        days=days,
        open_tasks=[t for t in tasks if not getattr(t, "done", False)],
        notes=notes,
        resources=entries(enrollment, cited.order_by("section__position", "position")),
        note=WeekNote.objects.filter(enrollment=enrollment, week=week).first(),
    )
