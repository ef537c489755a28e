"""Facts about one learner's progress, read the same way by pages, reminder emails and the feed.

Every function here makes a fixed number of queries whatever the plan's length or the learner's history:
the plan comes from its cached structure (progress.structure), the learner's ticks as one list of ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncDate

from progress import state as learner_state
from progress.models import Enrollment, TaskCompletion
from progress.schedule import ONE_DAY, DayKind, DayOn, Schedule, week_start
from progress.structure import DayItem, PlanStructure, TaskItem, structure_for
from progress.zones import zone_or_fallback


def ticked_per_day(structure: PlanStructure, ticked: frozenset[int]) -> dict[int, int]:
    """Plan day number -> how many of its tasks are in `ticked` (days with none left out). Pure."""
    counts: dict[int, int] = {}
    for task_id in ticked:
        number = structure.day_of_task.get(task_id)
        if number is not None:
            counts[number] = counts.get(number, 0) + 1
    return counts


def days_behind(schedule: Schedule, totals: dict[int, int], done: dict[int, int], today: date) -> int:
    """Study days scheduled BEFORE `today` whose tasks are not all done (pure).

    Today's own plan day never counts: a learner is not behind in the morning of a study day just because
    today's tasks are still open. Zero while paused: a pause freezes the schedule, so nothing counts as
    behind until the learner resumes. The behind notice, the progress page and the reminders all read
    this one number (through `overview()`).
    """
    if schedule.paused:
        return 0
    due = schedule.days_due_by(today - ONE_DAY)
    return sum(1 for n in range(1, due + 1) if done.get(n, 0) < totals.get(n, 0))


def streak(schedule: Schedule, totals: dict[int, int], done: dict[int, int], today: date) -> int:
    """Plan days fully done in a row, counting back from the last one due (pure).

    Only study days count, so review days never break a streak; today's day, while still open, does not
    break it either: the count then starts from the day before.
    """

    def is_done(n: int) -> bool:
        # A day with no tasks is done (see Overview.is_done), so it never breaks a streak.
        return done.get(n, 0) >= totals.get(n, 0)

    n = schedule.days_due_by(today)
    if n and schedule.date_of(n) == today and not is_done(n):
        n -= 1
    count = 0
    while n >= 1 and is_done(n):
        count += 1
        n -= 1
    return count


@dataclass(frozen=True)
class Overview:
    """Where a learner stands on a given date: the figures every page and email shows.

    Pages, tags and emails read the per-day counts through the methods below (`day_total`, `day_done`,
    `is_done`, `first_unfinished`, `streak`), never from the two dicts, so what counts as a finished day is
    decided here once.
    """

    enrollment: Enrollment
    today: date
    schedule: Schedule
    day_on_today: DayOn
    structure: PlanStructure  # the plan as cached for its current version
    ticked: frozenset[int]  # ids of this learner's ticked tasks
    tasks_per_day: dict[int, int]  # plan day number -> its tasks; every Day row has a key
    ticked_per_day: dict[int, int]  # plan day number -> this learner's ticked tasks (days with none left out)
    days_behind: int

    def day_total(self, number: int) -> int:
        return self.tasks_per_day.get(number, 0)

    def day_done(self, number: int) -> int:
        return self.ticked_per_day.get(number, 0)

    def is_done(self, number: int) -> bool:
        """Every task of plan day `number` ticked; a day with no tasks (emptied in the admin) counts as done."""
        return self.day_done(number) >= self.day_total(number)

    def day_before(self, number: int) -> int | None:
        """The plan's own previous day number (a day deleted in the admin is skipped), or None."""
        return max((n for n in self.tasks_per_day if n < number), default=None)

    def day_after(self, number: int) -> int | None:
        """The plan's own next day number (a day deleted in the admin is skipped), or None."""
        return min((n for n in self.tasks_per_day if n > number), default=None)

    @property
    def first_unfinished(self) -> int | None:
        """The lowest plan day with a task still open, or None when every task is ticked."""
        return next((n for n in sorted(self.tasks_per_day) if not self.is_done(n)), None)

    @property
    def streak(self) -> int:
        return streak(self.schedule, self.tasks_per_day, self.ticked_per_day, self.today)

    @property
    def total_tasks(self) -> int:
        return sum(self.tasks_per_day.values())

    @property
    def done_tasks(self) -> int:
        return sum(self.ticked_per_day.values())

    @property
    def percent(self) -> int:
        return round(100 * self.done_tasks / self.total_tasks) if self.total_tasks else 0

    @property
    def finished(self) -> bool:
        return self.total_tasks > 0 and self.done_tasks >= self.total_tasks

    def date_of(self, number: int) -> date | None:
        """The date of plan day `number`, or None for a number past the schedule's end."""
        return self.schedule.date_of(number) if number <= self.schedule.total_days else None

    def day_state(self, number: int) -> str:
        """done / partial / missed / today / upcoming for one plan day as of `today` ("" past the end)."""
        if number > self.schedule.total_days:
            return ""
        on, done = self.schedule.date_of(number), self.day_done(number)
        # A day left with no tasks (emptied in the admin) has nothing to do: done once due, never "missed",
        # as days_behind and first_unfinished already treat it.
        if self.is_done(number) and (self.day_total(number) or on <= self.today):
            return "done"
        if on > self.today:
            return "upcoming"
        if on == self.today:
            return "partial" if done else "today"
        return "partial" if done else "missed"


def overview(enrollment: Enrollment, today: date, ticked: frozenset[int] | None = None) -> Overview:
    """The learner's standing on `today` (their local date).

    The plan comes from its cached structure; the learner's own state (ticked ids, schedule changes, days
    off) is one query, progress.state.load, unless the caller passes the ticks it already has.
    """
    structure = structure_for(enrollment.plan)
    if ticked is None:
        ticked = learner_state.load(enrollment)
    totals, done = structure.totals, ticked_per_day(structure, ticked)
    # Sized by the highest day number, not the count: an instructor may delete a middle day in the admin,
    # and the days after it must keep their dates (the feed sizes it the same way).
    schedule = enrollment.schedule(total_days=structure.last_day, today=today)
    return Overview(
        enrollment=enrollment,
        today=today,
        schedule=schedule,
        day_on_today=schedule.day_on(today),
        structure=structure,
        ticked=ticked,
        tasks_per_day=totals,
        ticked_per_day=done,
        days_behind=days_behind(schedule, totals, done, today),
    )


# --- What a learner is asked to do on a date: shared by the Today page and the reminder email. ---

OVERDUE_SHOWN = 5


@dataclass(frozen=True)
class Agenda:
    """Today's plan for one learner: the plan day, the week's leftovers on review days, overdue tasks.

    The reminder email and the Today page both render this, so they can never disagree.
    """

    overview: Overview
    day: DayItem | None  # today's plan day (study day), or day 1 before the start, with sessions and tasks
    review_tasks: list[TaskItem]  # on a review day: this week's unfinished tasks, in plan order
    overdue_tasks: list[TaskItem]  # the first few unfinished tasks of days before `overdue_before`
    overdue_count: int  # all of them

    @property
    def done_task_ids(self) -> frozenset[int]:
        """The learner's ticked task ids (templates test `task.pk in done_task_ids`)."""
        return self.overview.ticked

    @property
    def kind(self) -> DayKind:
        return self.overview.day_on_today.kind

    @property
    def days_until_start(self) -> int:
        first = self.overview.schedule.first_date
        return (first - self.overview.today).days if first else 0

    @property
    def day_done(self) -> int:
        return self.overview.day_done(self.day.number) if self.day else 0

    @property
    def day_total(self) -> int:
        return self.overview.day_total(self.day.number) if self.day else 0


def agenda(enrollment: Enrollment, today: date, ov: Overview | None = None) -> Agenda:
    """Everything the Today page and the reminder show for `today`.

    No queries beyond `overview()` (none when the caller passes the overview it has): the tasks come from
    the plan's cached structure.
    """
    if ov is None:
        ov = overview(enrollment, today)
    schedule, kind = ov.schedule, ov.day_on_today.kind
    day_number: int | None = None
    if kind == DayKind.STUDY:
        day_number = ov.day_on_today.number
    elif kind == DayKind.BEFORE_START and schedule.total_days:
        day_number = 1

    # Overdue = unfinished study days strictly before a cutoff: today on study days; on review days the
    # current week's days are listed as "this week" instead, so the cutoff is that week's Monday.
    cutoff = week_start(today) if kind == DayKind.REVIEW else today
    last_overdue = schedule.days_due_by(cutoff - ONE_DAY)
    overdue = [t for t in ov.structure.tasks_between(1, last_overdue) if t.pk not in ov.ticked]
    review_tasks: list[TaskItem] = []
    if kind == DayKind.REVIEW:
        due = ov.structure.tasks_between(last_overdue + 1, schedule.days_due_by(today))
        review_tasks = [t for t in due if t.pk not in ov.ticked]
    day = ov.structure.days.get(day_number) if day_number is not None else None
    return Agenda(ov, day, review_tasks, overdue[:OVERDUE_SHOWN], len(overdue))


def completions_per_local_date(enrollment: Enrollment) -> dict[date, int]:
    """Local date (in the learner's time zone) -> tasks ticked on it (one aggregate query)."""
    rows = (
        TaskCompletion.objects.filter(enrollment=enrollment)
        .annotate(local=TruncDate("completed_at", tzinfo=zone_or_fallback(enrollment.time_zone)))
        .values("local")
        .annotate(n=Count("id"))
        .values_list("local", "n")
    )
    return dict(rows)
