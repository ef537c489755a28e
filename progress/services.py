"""Facts about one learner's progress, read the same way by pages, reminder emails and the feed.

Every function here makes a fixed number of queries whatever the plan's length or the learner's history:
counts are aggregated in the database, and per-day figures come back as one dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from curriculum.models import Task
from progress.models import Enrollment, TaskCompletion
from progress.schedule import DayKind, DayOn, Schedule


def tasks_per_day(plan_id: int) -> dict[int, int]:
    """Plan day number -> number of tasks on it (one query)."""
    rows = (
        Task.objects.filter(session__day__plan_id=plan_id)
        .values("session__day__number")
        .annotate(n=Count("id"))
        .values_list("session__day__number", "n")
    )
    return dict(rows)


def done_per_day(enrollment: Enrollment) -> dict[int, int]:
    """Plan day number -> number of this learner's ticked tasks on it (one query)."""
    rows = (
        TaskCompletion.objects.filter(enrollment=enrollment)
        .values("task__session__day__number")
        .annotate(n=Count("id"))
        .values_list("task__session__day__number", "n")
    )
    return dict(rows)


def days_behind(schedule: Schedule, totals: dict[int, int], done: dict[int, int], today: date) -> int:
    """Study days scheduled up to and including today whose tasks are not all done (pure).

    Zero while paused: a pause freezes the schedule, so nothing counts as behind until the learner resumes.
    """
    if schedule.paused:
        return 0
    due = schedule.days_due_by(today)
    return sum(1 for n in range(1, due + 1) if done.get(n, 0) < totals.get(n, 0))


def first_unfinished_day(totals: dict[int, int], done: dict[int, int]) -> int | None:
    for n in sorted(totals):
        if done.get(n, 0) < totals[n]:
            return n
    return None


@dataclass(frozen=True)
class Overview:
    """Where a learner stands on a given date: the figures every page and email shows."""

    enrollment: Enrollment
    today: date
    schedule: Schedule
    day_on_today: DayOn
    totals: dict[int, int]
    done: dict[int, int]
    days_behind: int

    @property
    def total_tasks(self) -> int:
        return sum(self.totals.values())

    @property
    def done_tasks(self) -> int:
        return sum(self.done.values())

    @property
    def percent(self) -> int:
        return round(100 * self.done_tasks / self.total_tasks) if self.total_tasks else 0

    @property
    def finished(self) -> bool:
        return self.total_tasks > 0 and self.done_tasks >= self.total_tasks

    @property
    def is_study_day(self) -> bool:
        return self.day_on_today.kind == DayKind.STUDY

    def day_state(self, number: int) -> str:
        """done / partial / missed / upcoming for one plan day, as of `today`."""
        total, done = self.totals.get(number, 0), self.done.get(number, 0)
        if total and done >= total:
            return "done"
        if self.schedule.date_of(number) > self.today:
            return "upcoming"
        if self.schedule.date_of(number) == self.today:
            return "partial" if done else "today"
        return "partial" if done else "missed"


def overview(enrollment: Enrollment, today: date) -> Overview:
    """The learner's standing on `today` (their local date). Four or five queries, whatever the sizes."""
    totals = tasks_per_day(enrollment.plan_id)
    done = done_per_day(enrollment)
    schedule = enrollment.schedule(total_days=len(totals), today=today)
    return Overview(
        enrollment=enrollment,
        today=today,
        schedule=schedule,
        day_on_today=schedule.day_on(today),
        totals=totals,
        done=done,
        days_behind=days_behind(schedule, totals, done, today),
    )


def local_today(enrollment: Enrollment, now: datetime | None = None) -> date:
    """The learner's own calendar date right now, in their time zone."""
    return (now or timezone.now()).astimezone(ZoneInfo(enrollment.time_zone)).date()
