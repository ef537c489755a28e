"""Facts about one learner's progress, read the same way by pages, reminder emails and the feed.

Every function here makes a fixed number of queries whatever the plan's length or the learner's history:
counts are aggregated in the database, and per-day figures come back as one dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import TruncDate

from curriculum.counting import count_subquery
from curriculum.models import Day, Session, Task
from progress.models import Enrollment, TaskCompletion
from progress.schedule import ONE_DAY, DayKind, DayOn, Schedule, week_start
from progress.zones import zone_or_fallback


def day_counts(enrollment: Enrollment) -> tuple[dict[int, int], dict[int, int]]:
    """Plan day number -> its number of tasks, and -> this learner's ticked tasks on it (one query).

    Counted from Day, so a day without tasks still has its place (and its date) in the schedule; two
    correlated subqueries instead of joins, so neither count is multiplied by the other.
    """
    tasks = Task.objects.filter(session__day=OuterRef("pk"))
    ticked = TaskCompletion.objects.filter(enrollment=enrollment, task__session__day=OuterRef("pk"))
    rows = (
        Day.objects.filter(plan_id=enrollment.plan_id)
        .annotate(n_tasks=count_subquery(tasks, "session__day"), n_done=count_subquery(ticked, "task__session__day"))
        .order_by("number")
        .values_list("number", "n_tasks", "n_done")
    )
    totals: dict[int, int] = {}
    done: dict[int, int] = {}
    for number, n_tasks, n_done in rows:
        totals[number] = n_tasks
        if n_done:
            done[number] = n_done
    return totals, done


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


def overview(enrollment: Enrollment, today: date) -> Overview:
    """The learner's standing on `today` (their local date). Three queries, whatever the sizes."""
    totals, done = day_counts(enrollment)
    return overview_from_counts(enrollment, today, totals, done)


def overview_from_counts(enrollment: Enrollment, today: date, totals: dict[int, int], done: dict[int, int]) -> Overview:
    """`overview()` from counts read elsewhere (the cohort page reads them for a whole plan at once)."""
    # Sized by the highest day number, not the count: an instructor may delete a middle day in the admin,
    # and the days after it must keep their dates (the feed sizes it the same way).
    schedule = enrollment.schedule(total_days=max(totals, default=0), today=today)
    return Overview(
        enrollment=enrollment,
        today=today,
        schedule=schedule,
        day_on_today=schedule.day_on(today),
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
    day: Day | None  # today's plan day (study day), or day 1 before the start, with sessions and tasks
    review_tasks: list[Task]  # on a review day: this week's unfinished tasks, in plan order
    overdue_tasks: list[Task]  # the first few unfinished tasks of days before `overdue_before`
    overdue_count: int  # all of them
    done_task_ids: frozenset[int]  # which of the tasks above are ticked

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


def _unfinished_tasks(enrollment: Enrollment, first: int, last: int) -> QuerySet[Task]:
    """Tasks on plan days first..last that this learner has not ticked, in plan order (not evaluated).

    A range rather than a list of day numbers, so the query is the same size whatever the history.
    """
    ticked = TaskCompletion.objects.filter(enrollment=enrollment, task=OuterRef("pk"))
    return (
        Task.objects.filter(
            session__day__plan_id=enrollment.plan_id,
            session__day__number__gte=first,
            session__day__number__lte=last,
        )
        .exclude(Exists(ticked))
        .select_related("session__day")
        .order_by("session__day__number", "session__position", "position")
    )


def agenda(enrollment: Enrollment, today: date) -> Agenda:
    """Everything the Today page and the reminder show for `today`.

    A fixed number of queries for each kind of day, whatever the plan's length or the learner's history.
    """
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
    overdue_count = sum(ov.day_total(n) - ov.day_done(n) for n in range(1, last_overdue + 1) if not ov.is_done(n))
    overdue_tasks = list(_unfinished_tasks(enrollment, 1, last_overdue)[:OVERDUE_SHOWN])
    review_tasks: list[Task] = []
    if kind == DayKind.REVIEW:
        review_tasks = list(_unfinished_tasks(enrollment, last_overdue + 1, schedule.days_due_by(today)))

    day = learner_days(enrollment).filter(number=day_number).first() if day_number is not None else None
    done_ids = ticked_ids(day) if day else frozenset()
    return Agenda(ov, day, review_tasks, overdue_tasks, overdue_count, done_ids)


def learner_days(enrollment: Enrollment) -> QuerySet[Day]:
    """The learner's plan days with week, sessions and tasks in document order (three queries).

    Each task carries `done` (ticked by this learner), computed in the tasks' own query, so a page that
    shows tick boxes needs no separate query for them.
    """
    ticked = TaskCompletion.objects.filter(enrollment=enrollment, task=OuterRef("pk"))
    tasks = Task.objects.order_by("position").annotate(done=Exists(ticked))
    sessions = Session.objects.order_by("position").prefetch_related(Prefetch("tasks", queryset=tasks))
    return (
        Day.objects.filter(plan_id=enrollment.plan_id)
        .select_related("week__phase")
        .prefetch_related(Prefetch("sessions", queryset=sessions))
    )


def ticked_ids(day: Day) -> frozenset[int]:
    """Ids of a day's ticked tasks, for a day fetched through `learner_days` (no query)."""
    return frozenset(t.pk for s in day.sessions.all() for t in s.tasks.all() if getattr(t, "done", False))


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
