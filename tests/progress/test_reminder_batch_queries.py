"""A reminder batch reads the same number of queries whatever its size and the plan's length: its rows, their
learners' state and the claim are a fixed number of queries; the only writes per email are the "sent" marks
that the at-most-once rule needs as soon as the server accepted each one (see progress.reminders)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan, Task
from progress import state
from progress.models import Enrollment, ReminderDelivery, ScheduleChange, TaskCompletion
from progress.reminders.learners import load_many
from progress.reminders.sending import send_batch
from progress.structure import structure_for
from tests.factories import make_plan
from tests.progress.reminder_helpers import SmtpServer, enroll, learners

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status
MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(datetime(2026, 3, 4, 4, 0, tzinfo=UTC), tick=False) as t:
        yield t


def batch_of(make_user: Callable[..., User], plan: Plan, n: int, prefix: str) -> list[int]:
    """`n` learners due on Wednesday with different histories: ticks, a shift for some, rows pending."""
    ids = []
    tasks = list(Task.objects.filter(session__day__plan=plan, session__day__number__lte=2))
    for i, user in enumerate(learners(make_user, n, prefix)):
        e = enroll(user, plan, start=MONDAY, at=dtime(8, 0), language="en" if i % 2 else "zh-hans")
        TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for t in tasks[: i % len(tasks)])
        if i % 3 == 0:
            ScheduleChange.objects.create(enrollment=e, kind=ScheduleChange.Kind.SHIFT, from_day=2, on_date=MONDAY)
        ids.append(ReminderDelivery.objects.create(enrollment=e, local_date=WEDNESDAY).pk)
    plan.refresh_from_db()
    structure_for(plan)  # built once per plan version in a process, as the pages do
    return ids


def is_sent_mark(sql: str) -> bool:
    # On PostgreSQL the mark is prepared (config.postgresql), logged as QUERY = '...' - PARAMS = (...).
    return sql.removeprefix("QUERY = '").startswith("UPDATE") and "'sent'" in sql


def run(ids: list[int]) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as queries:
        result = send_batch(ids)
    assert sorted(result.sent) == sorted(ids)
    sqls = [q["sql"] for q in queries.captured_queries]
    return [s for s in sqls if not is_sent_mark(s)], sum(map(is_sent_mark, sqls))


def shape(sqls: list[str]) -> list[str]:
    """Each query's first words, savepoint names aside: which statements ran, not their parameters."""
    return [re.sub(r'"s\d+_x\d+"', "SAVEPOINT", " ".join(s.split()[:3])) for s in sqls]


def test_a_batch_costs_the_same_queries_for_2_or_12_learners_and_10_or_60_plan_days(
    make_user: Callable[..., User], server: SmtpServer
) -> None:
    short, long = make_plan(slug="short", days=10), make_plan(slug="long", days=60)
    small = run(batch_of(make_user, short, 2, "small"))
    large = run(batch_of(make_user, long, 12, "large"))
    assert shape(small[0]) == shape(large[0])  # reads, the claim: the same statements
    assert len(small[0]) <= 9
    assert (small[1], large[1]) == (2, 12)  # one "sent" mark per email, written as soon as it was accepted
    assert len(server.sink.messages) == 14


def test_the_batch_reads_nothing_per_learner_before_sending(
    make_user: Callable[..., User], server: SmtpServer, plan: Plan
) -> None:
    ids = batch_of(make_user, plan, 6, "six")
    reads, _ = run(ids)
    selects = [s for s in reads if s.lstrip("(").startswith("SELECT")]
    # The rows with their learners, their state (one UNION ALL), the claim's SELECT ... FOR UPDATE.
    assert len(selects) == 3
    assert any("UNION ALL" in s for s in selects)
    assert any("FOR UPDATE" in s for s in selects) or connection.vendor == "sqlite"


def test_a_batch_reads_each_learners_ticks_and_schedule_as_their_own_page_does(
    make_user: Callable[..., User], plan: Plan
) -> None:
    ids = batch_of(make_user, plan, 7, "state")  # from no tick to several each, a shift for every third
    enrollments = [d.enrollment for d in ReminderDelivery.objects.filter(pk__in=ids).select_related("enrollment")]
    many = load_many(enrollments)
    assert len({len(ticked) for ticked in many.values()}) > 2 and frozenset() in many.values()
    for e in enrollments:
        alone = Enrollment.objects.get(pk=e.pk)
        assert many[e.pk] == state.load(alone)
        assert e.schedule_input(60) == alone.schedule_input(60)
