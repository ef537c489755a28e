"""A batch's rows with everything their emails read, in a fixed number of queries whatever the batch's size.

One query for the delivery rows with their enrollments, plans, users and profiles; one (progress.reminders.learners'
UNION ALL) for every learner's ticks, schedule changes and days off; the plans' structures come from their
cache (progress.structure), built at most once per plan version. Building an email then reads nothing
more from the database: it is the Today page's agenda (services.agenda) computed from what was loaded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import get_script_prefix

from curriculum.models import Plan
from progress.compiled import among
from progress.models import ReminderDelivery
from progress.page_cache import plan_key
from progress.reminders import learners as learner_state
from progress.reminders.message import build_message, build_steps
from progress.structure import structure_for


@dataclass(frozen=True, slots=True)
class Loaded:
    """A delivery row and its learner's ticked task ids, read with the rest of the batch."""

    delivery: ReminderDelivery
    ticked: frozenset[int]
    # The parts of emails rendered for this batch's plans, shared by its rows and by later batches on the same
    # plans (progress.templatetags.email_memo, `memo_for`).
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
        ReminderDelivery.objects.filter(pk__in=among(ids)).select_related(
            "enrollment__plan", "enrollment__user__learner_profile"
        )
    )
    ticked = learner_state.load_many([d.enrollment for d in rows])
    plans = {d.enrollment.plan_id: d.enrollment.plan for d in rows}
    for plan in plans.values():
        structure_for(plan)
    memo = memo_for(plans.values())
    return {d.pk: Loaded(d, ticked[d.enrollment_id], memo) for d in rows}


# The parts earlier batches of this process rendered, by what they were rendered from: every column of each
# plan row of the batch (its `version` moves with any edit of its days, sessions and tasks), the site's URL and
# the URL prefix (the links). A batch on the same plans goes on from where the last one left off instead of
# rendering the plan day and every task line again. Bounded: a few plan sets, and a set's parts are dropped
# once their text is long (a day's ticked-task combinations grow with the crowd): at most MEMOS_KEPT x
# MEMO_CHARS characters per worker process, checked when a batch starts.
class Parts(dict[Any, str]):
    """A memo that counts the characters of the parts put in it."""

    chars = 0

    def __setitem__(self, key: Any, text: str) -> None:
        self.chars += len(text)
        super().__setitem__(key, text)


_MEMOS: OrderedDict[tuple[object, ...], Parts] = OrderedDict()
MEMOS_KEPT = 4
MEMO_CHARS = 4_000_000


def memo_for(plans: Iterable[Plan]) -> dict[Any, str]:
    """The memo (progress.templatetags.email_memo) for a batch of learners on `plans`."""
    key = (settings.SITE_URL, get_script_prefix(), *(plan_key(p) for p in sorted(plans, key=lambda p: p.pk)))
    memo = _MEMOS.get(key)
    if memo is None or memo.chars > MEMO_CHARS:
        memo = _MEMOS[key] = Parts()
    _MEMOS.move_to_end(key)
    while len(_MEMOS) > MEMOS_KEPT:
        _MEMOS.popitem(last=False)
    return memo


def forget_memos() -> None:
    """Drop every kept part (the tests: their rolled-back rows can come back with the same ids and columns)."""
    _MEMOS.clear()


def build(loaded: Loaded) -> EmailMessage:
    return build_message(loaded.delivery.enrollment, loaded.local_date, loaded.ticked, memo=loaded.memo)


def steps(loaded: Loaded) -> Generator[None, None, EmailMessage]:
    """`build` in steps (progress.reminders.message.build_steps)."""
    return (yield from build_steps(loaded.delivery.enrollment, loaded.local_date, loaded.ticked, memo=loaded.memo))
