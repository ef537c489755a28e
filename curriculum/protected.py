"""Learner rows that point at plan rows, found and counted without knowing what they are.

Learner progress lives in `progress`, which `curriculum` never imports. Its rows point at days and tasks with
PROTECT, so they are found through Django's own relation metadata: the reverse PROTECT relations of a model
(for counting) and the deletion collector (for what a delete would be refused on). Both only read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models, router
from django.db.models import Count
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from curriculum.models import Day, Task


def progress_counts(model: type[models.Model], ids: Iterable[int]) -> Counter[int]:
    """How many rows protect each of `model`'s rows `ids` from deletion (for a task: the learners who ticked it)."""
    ids = list(ids)
    counts: Counter[int] = Counter()
    if not ids:
        return counts
    for rel in model._meta.related_objects:
        if rel.on_delete is not models.PROTECT:
            continue
        field = rel.field
        rows = (
            rel.related_model._default_manager.filter(**{f"{field.name}__in": ids})
            .order_by()
            .values_list(field.attname)
            .annotate(n=Count("pk"))
        )
        for pk, n in rows:
            counts[pk] += n
    return counts


def protected_rows(rows: Sequence[models.Model]) -> list[models.Model]:
    """The rows that would refuse the deletion of `rows` (and of what cascades from them), without deleting."""
    if not rows:
        return []
    collector = Collector(using=router.db_for_write(type(rows[0])))
    try:
        collector.collect(list(rows))
    except (ProtectedError, RestrictedError) as exc:
        found = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        return list(found)
    return []


@dataclass(frozen=True)
class Blocker:
    """Progress that a replace would remove: notes on a day, ticks on a task, or other rows pointing at either."""

    day: int = 0
    task: str = ""
    count: int = 0
    model: str = ""  # the verbose name of rows that are neither ticks nor notes

    def describe(self) -> str:
        if self.model:
            return f"  {self.count} {self.model} row(s) point at removed rows"
        if self.task:
            return f'  day {self.day}, task "{self.task}": removed, but {self.count} learner(s) ticked it'
        return f"  day {self.day}: removed, but {self.count} learner note(s) are on it"


def blockers(rows: Iterable[models.Model], days: dict[int, Day], tasks: dict[int, Task]) -> list[Blocker]:
    """`rows` (from protected_rows) grouped by the removed day or task they point at, in document order.

    `tasks` must have their session and day loaded."""
    per_task: Counter[int] = Counter()
    per_day: Counter[int] = Counter()
    other: Counter[str] = Counter()
    for obj in rows:
        # Learner rows are recognised by what they point at, so this module needs no import from `progress`.
        target = next((f for f in obj._meta.concrete_fields if f.is_relation and f.related_model in (Task, Day)), None)
        if target is None:
            other[str(obj._meta.verbose_name)] += 1
        elif target.related_model is Task:
            per_task[getattr(obj, target.attname)] += 1
        else:
            per_day[getattr(obj, target.attname)] += 1
    found = [Blocker(day=days[pk].number, count=n) for pk, n in per_day.items()]
    found.sort(key=lambda b: b.day)
    by_order = sorted(per_task.items(), key=lambda kv: _task_order(tasks[kv[0]]))
    found += [Blocker(day=tasks[pk].session.day.number, task=tasks[pk].text, count=n) for pk, n in by_order]
    found += [Blocker(count=n, model=name) for name, n in sorted(other.items())]
    return found


def refusal(found: Iterable[Blocker]) -> str:
    return (
        "import refused, nothing was changed: the document removes days or tasks that learners have progress on:\n"
        + "\n".join(b.describe() for b in found)
        + "\nKeep them in the document (to reword a task, change its text at the same day, session and "
        "position: it keeps its ticks), or delete that progress first (admin: task completions, day notes) "
        "and import again."
    )


def _task_order(task: Task) -> tuple[int, int, int]:
    return (task.session.day.number, task.session.position, task.position)
