"""A plan's cohort for its instructors: every learner's standing, read in a fixed number of queries.

Each learner's figures are the ones their own pages show: a `services.Overview` is built per enrollment
from counts read for the whole plan at once (the plan's tasks per day, every learner's ticks per day, their
schedule changes and days off), so percent done, days behind and streak cannot disagree with the learner's
Progress page. Filtering and sorting are pure functions over the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from curriculum.counting import count_subquery
from curriculum.models import Day, Plan, Task
from progress.models import DayNote, Enrollment, ReminderDelivery, TaskCompletion
from progress.services import Overview, overview_from_counts
from progress.zones import local_today, zone_or_fallback


@dataclass(frozen=True)
class Learner:
    """One row of the cohort table."""

    enrollment: Enrollment
    overview: Overview
    last_activity: datetime | None  # the last tick or note save
    last_reminder: str  # the newest reminder delivery's status, "" when none was ever made

    @property
    def last_reminder_label(self) -> str:
        return str(ReminderDelivery.Status(self.last_reminder).label) if self.last_reminder else ""

    @property
    def name(self) -> str:
        user = self.enrollment.user
        return user.get_full_name() or user.get_username()

    @property
    def today(self) -> date:
        return self.overview.today

    @property
    def percent(self) -> int:
        return self.overview.percent

    @property
    def days_behind(self) -> int:
        return self.overview.days_behind

    @property
    def current_day(self) -> int:
        """The plan day the learner's schedule has reached today (0 before their first study day)."""
        return self.overview.schedule.days_due_by(self.today)

    @property
    def streak(self) -> int:
        return self.overview.streak

    @property
    def paused(self) -> bool:
        return self.overview.schedule.paused

    @property
    def finished(self) -> bool:
        return self.overview.finished

    @property
    def furthest_day(self) -> int:
        """The highest plan day with at least one tick (0 when nothing is ticked)."""
        return max(self.overview.ticked_per_day, default=0)

    @property
    def inactive_days(self) -> int:
        """Whole days since the last activity in the learner's time zone; since enrolling when there is none."""
        since = self.last_activity or self.enrollment.created_at
        zone = zone_or_fallback(self.enrollment.time_zone)
        return max((self.today - since.astimezone(zone).date()).days, 0)


def _plan_days(plan: Plan) -> list[Day]:
    """The plan's days in order, with week, phase and task count (one query)."""
    tasks = Task.objects.filter(session__day=OuterRef("pk"))
    return list(
        Day.objects.filter(plan=plan)
        .select_related("week__phase")
        .annotate(n_tasks=count_subquery(tasks, "session__day"))
        .order_by("number")
    )


def _enrollments(plan: Plan) -> QuerySet[Enrollment]:
    """The plan's enrollments with their user, last activity and last reminder status (three queries)."""

    def newest(queryset: QuerySet[Any], field: str, order: Iterable[str]) -> Subquery:
        return Subquery(queryset.filter(enrollment=OuterRef("pk")).order_by(*order).values(field)[:1])

    ticks, notes = TaskCompletion.objects.all(), DayNote.objects.all()
    return (
        Enrollment.objects.filter(plan=plan)
        .select_related("user")
        .prefetch_related("schedule_changes", "days_off")
        .annotate(
            last_tick=newest(ticks, "completed_at", ["-completed_at"]),
            last_note=newest(notes, "updated_at", ["-updated_at"]),
            last_reminder=newest(ReminderDelivery.objects.all(), "status", ["-local_date", "-created_at"]),
        )
        .order_by("pk")
    )


def _ticks_per_learner(plan: Plan) -> dict[int, dict[int, int]]:
    """Enrollment id -> plan day number -> ticked tasks, for every learner of the plan (one query)."""
    rows = (
        TaskCompletion.objects.filter(enrollment__plan=plan)
        .values_list("enrollment_id", "task__session__day__number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ticks: dict[int, dict[int, int]] = defaultdict(dict)
    for enrollment_id, number, n in rows:
        ticks[enrollment_id][number] = n
    return ticks


@dataclass(frozen=True)
class Cohort:
    plan: Plan
    days: list[Day]  # with week__phase and `n_tasks`
    learners: list[Learner]  # in enrollment order


def cohort(plan: Plan, now: datetime | None = None) -> Cohort:
    """Every learner of `plan` as of `now`, each on their own local date. Five queries, whatever the sizes."""
    now = now or timezone.now()
    days = _plan_days(plan)
    totals = {d.number: d.n_tasks for d in days}  # type: ignore[attr-defined]
    ticks = _ticks_per_learner(plan)
    learners = []
    for enrollment in _enrollments(plan):
        today = local_today(enrollment.time_zone, now)
        learners.append(_learner(enrollment, today, totals, ticks.get(enrollment.pk, {})))
    return Cohort(plan, days, learners)


def _learner(enrollment: Enrollment, today: date, totals: dict[int, int], done: dict[int, int]) -> Learner:
    ov = overview_from_counts(enrollment, today, totals, done)
    activity = [t for t in (enrollment.last_tick, enrollment.last_note) if t is not None]  # type: ignore[attr-defined]
    return Learner(enrollment, ov, max(activity, default=None), enrollment.last_reminder or "")  # type: ignore[attr-defined]


# --- filtering and sorting (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    behind: int | None = None  # at least this many days behind
    inactive: int | None = None  # no activity for at least this many days
    paused: bool = False
    finished: bool = False

    def keep(self, learner: Learner) -> bool:
        return (
            (self.behind is None or learner.days_behind >= self.behind)
            and (self.inactive is None or learner.inactive_days >= self.inactive)
            and (not self.paused or learner.paused)
            and (not self.finished or learner.finished)
        )


# Sort key name -> how to read it; "-name" sorts the other way. Ties keep name order.
SORT_KEYS = {
    "name": lambda row: row.name.casefold(),
    "start": lambda row: row.enrollment.start_date,
    "percent": lambda row: row.percent,
    "behind": lambda row: row.days_behind,
    "day": lambda row: row.current_day,
    "streak": lambda row: row.streak,
    "activity": lambda row: row.last_activity or datetime.min.replace(tzinfo=UTC),
}
DEFAULT_SORT = "-behind"


def select(learners: list[Learner], filters: Filters, sort: str = DEFAULT_SORT) -> list[Learner]:
    """The learners `filters` keeps, ordered by `sort` (a SORT_KEYS name, "-" first for descending)."""
    key = SORT_KEYS[sort.removeprefix("-")]
    kept = sorted((r for r in learners if filters.keep(r)), key=SORT_KEYS["name"])
    return sorted(kept, key=key, reverse=sort.startswith("-"))
