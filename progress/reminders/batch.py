"""A batch's rows with everything their emails read, in a fixed number of queries whatever the batch's size.

One query for the delivery rows with their enrollments, plans, users and profiles; one (progress.reminders.learners'
UNION ALL) for every learner's ticks, schedule changes and days off; the plans' structures come from their
cache (progress.structure), built at most once per plan version. Building an email then reads nothing
more from the database: it is the Today page's agenda (services.agenda) computed from what was loaded.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.mail import EmailMessage

from progress.models import ReminderDelivery
from progress.reminders import learners as learner_state
from progress.reminders.message import build_message, build_steps
from progress.structure import structure_for


@dataclass(frozen=True, slots=True)
class Loaded:
    """A delivery row and its learner's ticked task ids, read with the rest of the batch."""

    delivery: ReminderDelivery
    ticked: frozenset[int]
    # The parts of emails this batch has rendered, shared by its rows (progress.templatetags.email_memo).
    memo: dict[Any, str]

    @property
    def pk(self) -> int:
        return self.delivery.pk

    @property
    def enrollment_id(self) -> int:
        return self.delivery.enrollment_id

    @property
    def local_date(self) -> date:
        return self.delivery.local_date


def load(ids: Sequence[int]) -> dict[int, Loaded]:
    """The batch's rows by id (rows deleted since are absent), with their learners' state: two queries, plus
    the plan's structure the first time this process meets a plan version."""
    rows = list(
        ReminderDelivery.objects.filter(pk__in=ids).select_related(
            "enrollment__plan", "enrollment__user__learner_profile"
        )
    )
    ticked = learner_state.load_many([d.enrollment for d in rows])
    for plan in {d.enrollment.plan_id: d.enrollment.plan for d in rows}.values():
        structure_for(plan)
    memo: dict[Any, str] = {}
    return {d.pk: Loaded(d, ticked[d.enrollment_id], memo) for d in rows}


def build(loaded: Loaded) -> EmailMessage:
    return build_message(loaded.delivery.enrollment, loaded.local_date, loaded.ticked, memo=loaded.memo)


def steps(loaded: Loaded) -> Generator[None, None, EmailMessage]:
    """`build` in steps (progress.reminders.message.build_steps)."""
    return (yield from build_steps(loaded.delivery.enrollment, loaded.local_date, loaded.ticked, memo=loaded.memo))
