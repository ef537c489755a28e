"""Keep `Plan.version` current: any saved or deleted row of a plan gives the plan a new version.

Learner pages cache the plan's structure under (plan, version) (see progress.structure), so a stale version
would show stale tasks. Each handler is one UPDATE whose WHERE clause finds the plan through the row's
parent, so it needs no lookup of its own. `pre_delete`, not `post_delete`: in a cascade the parents are
still there to find the plan by. Bulk writes send no signals: the importer touches the plan itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_save, pre_delete

from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week


def plans_of(instance: Any) -> Any:
    """The plans a curriculum row belongs to, as a queryset (not evaluated)."""
    plans = Plan.objects.all()
    if isinstance(instance, Plan):
        return plans.filter(pk=instance.pk)
    if isinstance(instance, Phase | Week | Day | ResourceSection):
        return plans.filter(pk=instance.plan_id)
    if isinstance(instance, Session):
        return plans.filter(days=instance.day_id)
    if isinstance(instance, Task):
        return plans.filter(days__sessions=instance.session_id)
    if isinstance(instance, Resource):
        return plans.filter(resource_sections=instance.section_id)
    raise TypeError(f"not a curriculum row: {type(instance).__name__}")


_PLAN_MODELS = (Plan, Phase, Week, Day, Session, Task, ResourceSection, Resource)
# Set while the importer writes a whole plan: it touches the plan once at the end instead of once per row.
_bulk_write: ContextVar[bool] = ContextVar("curriculum_bulk_write", default=False)


@contextmanager
def one_touch_at_the_end() -> Iterator[None]:
    token = _bulk_write.set(True)
    try:
        yield
    finally:
        _bulk_write.reset(token)


def touch_plan(sender: type, instance: Any, raw: bool = False, **kwargs: object) -> None:
    # `raw` is loaddata: the fixture carries its own rows and the plan gets a fresh version when created.
    if not raw and not _bulk_write.get():
        plans_of(instance).touch()


# Connected per model, never for every sender: a receiver on all models would stop Django's fast deletes
# of learner rows (an untick) too.
for _model in _PLAN_MODELS:
    post_save.connect(touch_plan, sender=_model, dispatch_uid=f"curriculum.touch_on_save.{_model.__name__}")
    pre_delete.connect(touch_plan, sender=_model, dispatch_uid=f"curriculum.touch_on_delete.{_model.__name__}")
