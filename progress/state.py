"""A learner's own state in one query: ticked task ids, schedule changes, days off and study time.

Every learner page needs all three (the ticks for the counters, the other two to lay the plan onto dates).
Read one by one they are three round trips to the database for a handful of small rows; here they come back
from one UNION ALL, and the two kinds of rows the schedule reads through `enrollment.schedule_changes.all()`
and `enrollment.days_off.all()` are put into the enrollment's prefetch cache, so the code that reads them
(progress.models.Enrollment.schedule_input, rescheduling, the feed) needs no change and no extra query.
The minutes logged per plan day and the learner's running timer come along and are kept on the enrollment
for `progress.study_time.study_state`, so the pages that show study time need no query of their own.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast

from progress.compiled import CompiledQuery
from progress.models import DayOff, Enrollment, ScheduleChange, StudyTime, StudyTimer, TaskCompletion
from progress.study_hours import StudyState, Timer

# One row shape for the three kinds of rows: (kind, id, task, change kind, from_day, date 1, date 2,
# created, undone). Typed NULLs, so every database resolves the UNION's column types the same way.
_NULL_INT = Cast(Value(None), models.IntegerField())
_NULL_TEXT = Cast(Value(None), models.CharField())
_NULL_DATE = Cast(Value(None), models.DateField())
_NULL_TIME = Cast(Value(None), models.DateTimeField())
_TICK, _CHANGE, _OFF, _TIME, _TIMER = "t", "c", "o", "s", "r"
STUDY_ATTR = "_study_state"


def _rows(enrollment_id: int, user_id: int) -> Any:
    ticks = TaskCompletion.objects.filter(enrollment_id=enrollment_id).values_list(
        Value(_TICK), "pk", "task_id", _NULL_TEXT, _NULL_INT, _NULL_DATE, _NULL_DATE, _NULL_TIME, _NULL_TIME
    )
    changes = ScheduleChange.objects.filter(enrollment_id=enrollment_id).values_list(
        Value(_CHANGE), "pk", _NULL_INT, "kind", "from_day", "on_date", _NULL_DATE, "created_at", "undone_at"
    )
    days_off = DayOff.objects.filter(enrollment_id=enrollment_id).values_list(
        Value(_OFF), "pk", _NULL_INT, _NULL_TEXT, _NULL_INT, "start_date", "end_date", "created_at", _NULL_TIME
    )
    # Study time: (day, minutes) in the task and from_day columns; the timer is the learner's, whichever
    # enrollment it runs for (one per learner), its enrollment in from_day and its start in "created".
    times = StudyTime.objects.filter(enrollment_id=enrollment_id).values_list(
        Value(_TIME), "pk", "day_id", _NULL_TEXT, "minutes", _NULL_DATE, _NULL_DATE, _NULL_TIME, _NULL_TIME
    )
    timer = StudyTimer.objects.filter(user_id=user_id).values_list(
        Value(_TIMER), "pk", "day_id", _NULL_TEXT, "enrollment_id", _NULL_DATE, _NULL_DATE, "started_at", _NULL_TIME
    )
    return ticks.order_by().union(changes.order_by(), days_off.order_by(), times.order_by(), timer.order_by(), all=True)


# Compiled once per connection: building this UNION's SQL costs more than running it.
_STATE = CompiledQuery("learner-state", _rows, arity=2)


def load(enrollment: Enrollment) -> frozenset[int]:
    """Read the learner's state (one query); returns the ticked task ids and fills the prefetch caches.

    An unsaved enrollment (an instructor's preview) has no state: nothing is read.
    """
    if enrollment.pk is None:
        setattr(enrollment, STUDY_ATTR, StudyState({}, None))
        return frozenset()
    ticked: set[int] = set()
    changes: list[ScheduleChange] = []
    days_off: list[DayOff] = []
    minutes: dict[int, int] = {}
    timer: Timer | None = None
    for kind, pk, task_id, change_kind, from_day, day1, day2, created, undone in _STATE.rows(
        enrollment.pk, enrollment.user_id
    ):
        if kind == _TICK:
            ticked.add(task_id)
        elif kind == _TIME:
            minutes[task_id] = from_day
        elif kind == _TIMER:
            timer = Timer(enrollment_id=from_day, day_id=task_id, started_at=created)
        elif kind == _CHANGE:
            changes.append(change_row(enrollment, pk, change_kind, from_day, day1, created, undone))
        else:
            days_off.append(day_off_row(enrollment, pk, day1, day2, created))
    fill_schedule_caches(enrollment, changes, days_off)
    setattr(enrollment, STUDY_ATTR, StudyState(minutes, timer))
    return frozenset(ticked)


def change_row(
    enrollment: Enrollment, pk: int, kind: str, from_day: int, on_date: Any, created: Any, undone: Any
) -> ScheduleChange:
    """A ScheduleChange from the state query's columns (no query)."""
    return ScheduleChange(
        pk=pk,
        enrollment=enrollment,
        kind=kind,
        from_day=from_day,
        on_date=on_date,
        created_at=created,
        undone_at=undone,
    )


def day_off_row(enrollment: Enrollment, pk: int, start: Any, end: Any, created: Any) -> DayOff:
    """A DayOff from the state query's columns (no query)."""
    return DayOff(pk=pk, enrollment=enrollment, start_date=start, end_date=end, created_at=created)


def fill_schedule_caches(enrollment: Enrollment, changes: list[ScheduleChange], days_off: list[DayOff]) -> None:
    """Store the rows as `enrollment.schedule_changes.all()` / `.days_off.all()` would return them."""
    # The models' own orderings, as `.all()` would have returned them.
    changes.sort(key=lambda c: (c.created_at, c.pk))
    days_off.sort(key=lambda o: (o.start_date, o.pk))
    for row in (*changes, *days_off):
        row._state.adding = False
        row._state.db = enrollment._state.db
    cache = enrollment.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["schedule_changes"] = _prefetched(ScheduleChange.objects.filter(enrollment=enrollment), changes)
    cache["days_off"] = _prefetched(DayOff.objects.filter(enrollment=enrollment), days_off)


def _prefetched[M: models.Model](queryset: models.QuerySet[M], rows: list[M]) -> models.QuerySet[M]:
    # What prefetch_related stores: a queryset whose results are already in, so `.all()` and iteration
    # use them and anything that filters further still goes to the database.
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset
