"""Many learners' state at once, for the reminders: one query for a whole batch or a fan-out's candidates.

progress.state reads one learner's (a page); here the same rows (ticks, schedule changes, days off) come back
for many enrollments from one UNION ALL with an enrollment column: `load_many` for a sending batch (the
ticks, and the schedule rows left on each enrollment as plain values for `Enrollment.schedule_input`), and
`schedule_inputs` for the fan-out. Plain values, not model instances or a prefetched queryset per learner:
building those cost more than the query itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from typing import Any

from django.db import models
from django.db.models import StringAgg, Value
from django.db.models.functions import Cast

from progress.compiled import among
from progress.models import DayOff, Enrollment, ScheduleChange, TaskCompletion
from progress.schedule import Change, ScheduleInput

# One row shape for the three kinds of rows: (kind, enrollment, id, task, change kind or ticked task ids, from_day,
# date 1, date 2, created, undone). Typed NULLs, so every database resolves the UNION's column types the same way.
_NULL_INT = Cast(Value(None), models.IntegerField())
_NULL_TEXT = Cast(Value(None), models.CharField())
_NULL_DATE = Cast(Value(None), models.DateField())
_NULL_TIME = Cast(Value(None), models.DateTimeField())
_TICK, _CHANGE, _OFF = "t", "c", "o"


def _rows(enrollment_ids: Collection[int], *, ticks: bool = True) -> Any:
    # `= id` for one learner (a page), `IN (...)` for a reminder batch: the same query either way.
    mine = (
        {"enrollment_id__in": among(enrollment_ids)}
        if len(enrollment_ids) > 1
        else {"enrollment_id": min(enrollment_ids)}
    )
    # One row per learner, their ticked task ids joined in the text column: a batch's thousands of ticks as
    # rows of ten columns cost five times as much to read.
    ticked = (
        TaskCompletion.objects.filter(**mine)
        .values("enrollment_id")
        .annotate(tasks=StringAgg(Cast("task_id", models.CharField()), delimiter=Value(",")))
        .values_list(
            Value(_TICK),
            "enrollment_id",
            _NULL_INT,
            _NULL_INT,
            "tasks",
            _NULL_INT,
            _NULL_DATE,
            _NULL_DATE,
            _NULL_TIME,
            _NULL_TIME,
        )
    )
    changes = ScheduleChange.objects.filter(**mine).values_list(
        Value(_CHANGE),
        "enrollment_id",
        "pk",
        _NULL_INT,
        "kind",
        "from_day",
        "on_date",
        _NULL_DATE,
        "created_at",
        "undone_at",
    )
    days_off = DayOff.objects.filter(**mine).values_list(
        Value(_OFF),
        "enrollment_id",
        "pk",
        _NULL_INT,
        _NULL_TEXT,
        _NULL_INT,
        "start_date",
        "end_date",
        "created_at",
        _NULL_TIME,
    )
    if not ticks:
        return changes.order_by().union(days_off.order_by(), all=True)
    return ticked.order_by().union(changes.order_by(), days_off.order_by(), all=True)


def _schedule_rows(
    enrollment_ids: Collection[int], rows: Iterable[tuple[Any, ...]]
) -> dict[int, tuple[tuple[Change, ...], tuple[tuple[date, date], ...]]]:
    """Each enrollment's schedule changes in force and days off, as progress.schedule takes them, from the
    query's schedule rows (ticks are skipped): in the models' orderings, as `.all()` returns them."""
    changes: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in enrollment_ids}
    days_off: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in enrollment_ids}
    for kind, owner, pk, _, change_kind, from_day, day1, day2, created, undone in rows:
        if kind == _CHANGE:
            if undone is None:
                changes[owner].append((created, pk, Change(change_kind, from_day, day1)))
        elif kind == _OFF:
            days_off[owner].append((day1, pk, day2))
    return {
        owner: (
            tuple(c for *_, c in sorted(changes[owner])),  # ScheduleChange's ordering: created, id
            tuple((start, end) for start, _, end in sorted(days_off[owner])),  # DayOff's: start date, id
        )
        for owner in enrollment_ids
    }


def schedule_inputs(
    enrollments: Sequence[Enrollment], total_days: Callable[[Enrollment], int]
) -> dict[int, ScheduleInput]:
    """What progress.schedule needs for each of many learners (the reminder fan-out), from one query, as plain
    values: no model instances and no prefetch caches, which would cost more than the query at 100,000."""
    if not enrollments:
        return {}
    ids = [e.pk for e in enrollments]
    rows = _schedule_rows(ids, _rows(ids, ticks=False))
    return {
        e.pk: ScheduleInput(e.start_date, e.weekdays, total_days(e), rows[e.pk][0], rows[e.pk][1]) for e in enrollments
    }


def load_many(enrollments: Sequence[Enrollment]) -> dict[int, frozenset[int]]:
    """`load` for several learners at once (a reminder batch): still one query, whatever their number.

    Returns each enrollment's ticked task ids by its id, and leaves each one's schedule rows on it as plain
    values (`Enrollment.schedule_input` reads them): no model instance or queryset per row or learner."""
    if not enrollments:
        return {}
    by_id = {e.pk: e for e in enrollments}
    ticked: dict[int, set[int]] = {pk: set() for pk in by_id}
    schedule: list[tuple[Any, ...]] = []
    for row in _rows(by_id.keys()):
        if row[0] == _TICK:
            ticked[row[1]].update(map(int, row[4].split(",")))
        else:
            schedule.append(row)
    for owner, loaded in _schedule_rows(by_id.keys(), schedule).items():
        by_id[owner].loaded_schedule = loaded  # type: ignore[attr-defined]
    return {pk: frozenset(ids) for pk, ids in ticked.items()}
