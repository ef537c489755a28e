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

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Cast

from progress import page_cache, ticks
from progress.access import ROW_CURRENT
from progress.compiled import CompiledQuery
from progress.models import DayOff, Enrollment, ScheduleChange, StudyTime, StudyTimer, TaskCompletion
from progress.study_hours import StudyState, Timer
from progress.ticks import Written

# One row shape for the three kinds of rows: (kind, id, task, change kind, from_day, date 1, date 2,
# created, undone). Typed NULLs, so every database resolves the UNION's column types the same way.
_NULL_INT = Cast(Value(None), models.IntegerField())
_NULL_TEXT = Cast(Value(None), models.CharField())
_NULL_DATE = Cast(Value(None), models.DateField())
_NULL_TIME = Cast(Value(None), models.DateTimeField())
_TICK, _CHANGE, _OFF, _TIME, _TIMER, _VERSION = "t", "c", "o", "s", "r", "v"
_KIND = "learner-state"
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
    # The enrollment's own counter (in from_day), read in the same snapshot as the rows: see `load`.
    version = Enrollment.objects.filter(pk=enrollment_id).values_list(
        Value(_VERSION), "pk", _NULL_INT, _NULL_TEXT, "state_version", _NULL_DATE, _NULL_DATE, _NULL_TIME, _NULL_TIME
    )
    return ticks.order_by().union(
        changes.order_by(), days_off.order_by(), times.order_by(), timer.order_by(), version.order_by(), all=True
    )


# Compiled once per connection: building this UNION's SQL costs more than running it.
_STATE = CompiledQuery("learner-state", _rows, arity=2)


@dataclass(frozen=True)
class Snapshot:
    """A learner's state as plain values: what `load` reads, and what the cache keeps of it."""

    ticked: frozenset[int]
    changes: tuple[tuple[Any, ...], ...]  # (pk, kind, from_day, on_date, created_at, undone_at)
    days_off: tuple[tuple[Any, ...], ...]  # (pk, start_date, end_date, created_at)
    minutes: tuple[tuple[int, int], ...]  # (plan day id, minutes)
    timer: Timer | None


def load(enrollment: Enrollment) -> frozenset[int]:
    """The learner's state (at most one query); returns the ticked task ids and fills the prefetch caches.

    A state read together with the enrollment's own `state_version` (same statement, same snapshot), when
    that is the counter of the row in hand, is kept in this process's memory under the row
    (`page_cache.enrollment_key`). The counter moves with every write to the state (progress.triggers), so
    a kept state is never stale for that row; it is used when the row in hand is known to be the current
    one (access.ROW_CURRENT: a page request, or after `advance`), so the first page after a tick reads no
    state. An unsaved enrollment (an instructor's preview) has no state: nothing is read.
    """
    if enrollment.pk is None:
        setattr(enrollment, STUDY_ATTR, StudyState({}, None))
        return frozenset()
    current = getattr(enrollment, ROW_CURRENT, False)
    snapshot = page_cache.kept(_KIND, page_cache.enrollment_key(enrollment)) if current else None
    if snapshot is None:
        snapshot, version = _read(enrollment)
        if version == enrollment.state_version:
            _keep(enrollment, snapshot)
    return _apply(enrollment, snapshot)


def set_done(enrollment: Enrollment, task_id: int, done: bool) -> None:
    """Tick or untick `task_id` for the learner (progress.ticks), and have the state after it at hand, so the
    answer's counters read nothing more.

    With a state kept for the row in hand (this process drew the learner's last page or tick), the state after
    is derived from it (`advance`). Without one (the learner's last request went to another process, as it
    mostly does with several web workers), on PostgreSQL the write brings the state just before it in the same
    statement, and the state after is derived from that one the same way. When another write came in between,
    or elsewhere, the row in hand is brought to the counter the write read back, and `load` reads the state
    after the write in a query of its own, as for a page.
    """
    before = page_cache.kept(_KIND, page_cache.enrollment_key(enrollment))
    if before is not None or connection.vendor != "postgresql":
        advance(enrollment, task_id, done, ticks.set_done(enrollment.pk, task_id, done, read_version=True), before)
        return
    sql, params = _STATE.statement(enrollment.pk, enrollment.user_id)
    written, fetched = ticks.set_done_with_state_before(enrollment.pk, task_id, done, sql, params)
    read, version = _snapshot(_STATE.convert(fetched))
    if version is not None:
        # The state before the write was read at this counter: the row in hand now stands at it.
        enrollment.state_version = version
    advance(enrollment, task_id, done, written, None if version is None else read)


def advance(enrollment: Enrollment, task_id: int, done: bool, written: Written, before: Snapshot | None) -> None:
    """After this request's own tick or untick of `task_id` (`written`: the rows it changed and the enrollment's
    state_version read after it), keep the state it made, derived from the state `before` it that this process
    kept for the row in hand (None: none was kept), so the answer reads no state.

    The enrollment row in hand was read before the write, at `enrollment.state_version`. The write changed a
    row exactly when the task was not already as posted, and moved the counter by one then; every other write
    in between moved it at least once more (once per statement on PostgreSQL, however many rows). So when
    this write changed what the state before says it would, and the counter moved by exactly that, the state
    before plus this write is the state now; otherwise nothing is derived and `load` reads it.
    """
    if written.version < 0:
        return
    moved = written.version - enrollment.state_version
    # Either way the row's counter is now `written.version`, so `load` may use a state kept under it, and keeps
    # the state it reads under it. (A kept state is what the database held at that counter: another column of
    # the row changed meanwhile only makes a key no page asks for.)
    enrollment.state_version = written.version
    setattr(enrollment, ROW_CURRENT, True)
    if before is None:
        return
    expected = int((task_id in before.ticked) != done)
    if written.changed == expected == moved:
        ticked = before.ticked | {task_id} if done else before.ticked - {task_id}
        _keep(enrollment, replace(before, ticked=frozenset(ticked)))


def _read(enrollment: Enrollment) -> tuple[Snapshot, int | None]:
    """The state from the database, and the enrollment's state_version in the same snapshot."""
    return _snapshot(_STATE.rows(enrollment.pk, enrollment.user_id))


def _snapshot(rows: list[tuple[Any, ...]]) -> tuple[Snapshot, int | None]:
    """The state in the state query's rows, and the enrollment's state_version among them (None: no row)."""
    ticked: set[int] = set()
    changes: list[tuple[Any, ...]] = []
    days_off: list[tuple[Any, ...]] = []
    minutes: list[tuple[int, int]] = []
    timer: Timer | None = None
    version: int | None = None
    for kind, pk, task_id, change_kind, from_day, day1, day2, created, undone in rows:
        if kind == _TICK:
            ticked.add(task_id)
        elif kind == _TIME:
            minutes.append((task_id, from_day))
        elif kind == _TIMER:
            timer = Timer(enrollment_id=from_day, day_id=task_id, started_at=created)
        elif kind == _CHANGE:
            changes.append((pk, change_kind, from_day, day1, created, undone))
        elif kind == _OFF:
            days_off.append((pk, day1, day2, created))
        else:
            version = from_day
    return Snapshot(frozenset(ticked), tuple(changes), tuple(days_off), tuple(minutes), timer), version


def _keep(enrollment: Enrollment, snapshot: Snapshot) -> None:
    # Only what is committed: a state read or made inside a transaction may still be rolled back, and its
    # counter value then reused for another state. (The tests' own transaction around each test is not one.)
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        return
    # About the bytes the objects take in memory (an int in a set, a row tuple of dates and datetimes), and
    # the key: the enrollment's columns themselves (page_cache.keep).
    rows = len(snapshot.changes) + len(snapshot.days_off)
    weight = 64 * (len(snapshot.ticked) + len(snapshot.minutes)) + 400 * rows + 1500
    page_cache.keep(_KIND, page_cache.enrollment_key(enrollment), snapshot, weight)


def _apply(enrollment: Enrollment, snapshot: Snapshot) -> frozenset[int]:
    changes = [change_row(enrollment, *row) for row in snapshot.changes]
    days_off = [day_off_row(enrollment, *row) for row in snapshot.days_off]
    fill_schedule_caches(enrollment, changes, days_off)
    setattr(enrollment, STUDY_ATTR, StudyState(dict(snapshot.minutes), snapshot.timer))
    return snapshot.ticked


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
    cache["schedule_changes"] = _prefetched(_of_enrollment(ScheduleChange, enrollment.pk).all(), changes)
    cache["days_off"] = _prefetched(_of_enrollment(DayOff, enrollment.pk).all(), days_off)


@lru_cache(maxsize=1024)
def _of_enrollment[M: models.Model](model: type[M], enrollment_id: int) -> models.QuerySet[M]:
    # Building a filtered queryset costs more than copying one (`.all()`), and every state load needs two.
    return model._default_manager.filter(enrollment_id=enrollment_id)


def _prefetched[M: models.Model](queryset: models.QuerySet[M], rows: list[M]) -> models.QuerySet[M]:
    # What prefetch_related stores: a queryset whose results are already in, so `.all()` and iteration
    # use them and anything that filters further still goes to the database.
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset
