"""A plan's cohort for its instructors: every learner's standing, read in a fixed number of queries.

Each learner's figures are the ones their own pages show: `services.overview` is asked per enrollment with
state read for the whole plan at once (every learner's ticked task ids, their schedule changes and days off)
and the plan's cached structure, so percent done, days behind and streak cannot disagree with the learner's
Progress page. Filtering and sorting are pure functions over the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from curriculum.models import Plan
from progress.models import DayNote, Enrollment, ReminderDelivery, TaskCompletion
from progress.services import Overview, overview
from progress.structure import DayItem, structure_for
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


def _ticks_per_learner(plan: Plan) -> dict[int, frozenset[int]]:
    """Enrollment id -> its ticked task ids, for every learner of the plan (one query)."""
    rows = TaskCompletion.objects.filter(enrollment__plan=plan).values_list("enrollment_id", "task_id").order_by()
    ticks: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, task_id in rows:
        ticks[enrollment_id].add(task_id)
    return {pk: frozenset(ids) for pk, ids in ticks.items()}


@dataclass(frozen=True)
class Cohort:
    plan: Plan
    days: list[DayItem]  # the plan's cached structure, in plan order
    learners: list[Learner]  # in enrollment order


def cohort(plan: Plan, now: datetime | None = None) -> Cohort:
    """Every learner of `plan` as of `now`, each on their own local date.

    Four queries whatever the sizes (ticks, enrollments, their schedule changes and days off), plus the
    plan's structure, which is usually cached.
    """
    now = now or timezone.now()
    ticks = _ticks_per_learner(plan)
    learners = []
    for enrollment in _enrollments(plan):
        enrollment.plan = plan  # the one plan row, not one per learner
        today = local_today(enrollment.time_zone, now)
        ov = overview(enrollment, today, ticked=ticks.get(enrollment.pk, frozenset()))
        activity = [t for t in (enrollment.last_tick, enrollment.last_note) if t is not None]  # type: ignore[attr-defined]
        learners.append(Learner(enrollment, ov, max(activity, default=None), enrollment.last_reminder or ""))  # type: ignore[attr-defined]
    return Cohort(plan, list(structure_for(plan).days.values()), learners)


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
