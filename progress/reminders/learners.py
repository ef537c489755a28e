"""Many learners' state at once, for the reminders: one query for a whole batch or a fan-out's candidates.

progress.state reads one learner's (a page); here the same rows (ticks, schedule changes, days off) come back
for many enrollments from one UNION ALL with an enrollment column: `load_many` for a sending batch (the
ticks, and the schedule rows into each enrollment's prefetch cache, as progress.state.load does), and
`schedule_inputs` for the fan-out (plain values only: creating querysets for 100,000 candidates would cost
more than the query).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast

from progress.models import DayOff, Enrollment, ScheduleChange, TaskCompletion
from progress.schedule import Change, ScheduleInput
from progress.state import change_row, day_off_row, fill_schedule_caches

# One row shape for the three kinds of rows: (kind, enrollment, id, task, change kind, from_day, date 1, date 2,
# created, undone). Typed NULLs, so every database resolves the UNION's column types the same way.
_NULL_INT = Cast(Value(None), models.IntegerField())
_NULL_TEXT = Cast(Value(None), models.CharField())
_NULL_DATE = Cast(Value(None), models.DateField())
_NULL_TIME = Cast(Value(None), models.DateTimeField())
_TICK, _CHANGE, _OFF = "t", "c", "o"


def _rows(enrollment_ids: Collection[int], *, ticks: bool = True) -> Any:
    # `= id` for one learner (a page), `IN (...)` for a reminder batch: the same query either way.
    mine = {"enrollment_id__in": enrollment_ids} if len(enrollment_ids) > 1 else {"enrollment_id": min(enrollment_ids)}
    ticked = TaskCompletion.objects.filter(**mine).values_list(
        Value(_TICK),
        "enrollment_id",
        "pk",
        "task_id",
        _NULL_TEXT,
        _NULL_INT,
        _NULL_DATE,
        _NULL_DATE,
        _NULL_TIME,
        _NULL_TIME,
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


def schedule_inputs(
    enrollments: Sequence[Enrollment], total_days: Callable[[Enrollment], int]
) -> dict[int, ScheduleInput]:
    """What progress.schedule needs for each of many learners (the reminder fan-out), from one query, as plain
    values: no model instances and no prefetch caches, which would cost more than the query at 100,000."""
    changes: dict[int, list[tuple[Any, ...]]] = {e.pk: [] for e in enrollments}
    days_off: dict[int, list[tuple[Any, ...]]] = {e.pk: [] for e in enrollments}
    if enrollments:
        for kind, owner, pk, _, change_kind, from_day, day1, day2, created, undone in _rows(
            changes.keys(), ticks=False
        ):
            if kind == _CHANGE:
                if undone is None:
                    changes[owner].append((created, pk, Change(change_kind, from_day, day1)))
            else:
                days_off[owner].append((day1, pk, day2))
    return {
        e.pk: ScheduleInput(
            e.start_date,
            e.weekdays,
            total_days(e),
            tuple(c for *_, c in sorted(changes[e.pk])),  # ScheduleChange's ordering: created, id
            tuple((start, end) for start, _, end in sorted(days_off[e.pk])),
        )
        for e in enrollments
    }


def load_many(enrollments: Sequence[Enrollment]) -> dict[int, frozenset[int]]:
    """`load` for several learners at once (a reminder batch): still one query, whatever their number.

    Returns each enrollment's ticked task ids by its id, and fills each one's prefetch caches."""
    if not enrollments:
        return {}
    by_id = {e.pk: e for e in enrollments}
    ticked: dict[int, set[int]] = {pk: set() for pk in by_id}
    changes: dict[int, list[ScheduleChange]] = {pk: [] for pk in by_id}
    days_off: dict[int, list[DayOff]] = {pk: [] for pk in by_id}
    for kind, owner, pk, task_id, change_kind, from_day, day1, day2, created, undone in _rows(by_id.keys()):
        enrollment = by_id[owner]
        if kind == _TICK:
            ticked[owner].add(task_id)
        elif kind == _CHANGE:
            changes[owner].append(change_row(enrollment, pk, change_kind, from_day, day1, created, undone))
        else:
            days_off[owner].append(day_off_row(enrollment, pk, day1, day2, created))
    for owner, enrollment in by_id.items():
        fill_schedule_caches(enrollment, changes[owner], days_off[owner])
    return {pk: frozenset(ids) for pk, ids in ticked.items()}
