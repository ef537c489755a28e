"""The fan-out's rows and ids: one statement for all rows, only this run's rows enqueued, the same rows
whichever way many ids are passed to a query, and a worker that has its plans' structures when it starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan, Task
from progress import structure
from progress.compiled import among
from progress.models import DayOff, Enrollment, ReminderDelivery, TaskCompletion
from progress.reminders.due import decide, reminded_plans
from progress.reminders.fanout import insert_rows
from progress.tasks import warm_up
from tests.factories import make_plan
from tests.progress.reminder_helpers import enroll, learners

# The same Wednesday noon in Shanghai, frozen for every test here too.
from tests.progress.test_fanout import MONDAY, NOON, frozen  # noqa: F401

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def test_the_rows_of_one_run_are_written_and_only_its_pending_ids_returned(
    make_user: Callable[..., User], plan: Plan
) -> None:
    people = [enroll(u, plan, start=MONDAY) for u in learners(make_user, 4)]
    quiet = enroll(make_user("resting"), plan, start=MONDAY)
    DayOff.objects.create(enrollment=quiet, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4))
    decisions = decide(NOON)
    assert sorted(d.enrollment.pk for d in decisions.due) == [e.pk for e in people]
    assert [q.enrollment.pk for q in decisions.quiet] == [quiet.pk]
    # Another fan-out got to the first learner's row for today in the meantime: that row stays as it was
    # and is not this run's to enqueue.
    theirs = ReminderDelivery.objects.create(enrollment=people[0], local_date=date(2026, 3, 4), attempts=1)

    ids = insert_rows(decisions)

    mine = ReminderDelivery.objects.filter(pk__in=ids)
    assert sorted(mine.values_list("enrollment_id", flat=True)) == [e.pk for e in people[1:]]
    assert set(mine.values_list("status", "attempts", "error", "local_date")) == {
        (Status.PENDING, 0, "", date(2026, 3, 4))
    }
    theirs_now = ReminderDelivery.objects.get(pk=theirs.pk)
    assert (theirs_now.status, theirs_now.attempts) == (Status.PENDING, 1)
    skipped = ReminderDelivery.objects.get(enrollment=quiet)
    assert skipped.status == Status.SKIPPED
    assert skipped.error == "no reminder on this date: a day off"
    assert skipped.created_at == skipped.updated_at == NOON
    # Everybody's next reminder instant moved on to tomorrow's reminder time (08:00 in Shanghai).
    assert set(Enrollment.objects.values_list("next_reminder_at", flat=True)) == {
        datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
    }


def test_rows_for_nobody_write_nothing(plan: Plan) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(decide(NOON)) == []
    assert not any("INSERT" in q["sql"] for q in queries)
    assert not ReminderDelivery.objects.exists()


def test_many_ids_find_the_same_rows_as_a_list(make_user: Callable[..., User], plan: Plan) -> None:
    people = [enroll(u, plan, start=MONDAY) for u in learners(make_user, 30)]
    tasks = list(Task.objects.filter(session__day__plan=plan).order_by("pk")[:2])
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for e in people[::3] for t in tasks)
    wanted = [e.pk for e in people[::2]] + [10**9]  # and one id nobody has
    by_list = set(TaskCompletion.objects.filter(enrollment_id__in=wanted).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        by_among = set(TaskCompletion.objects.filter(enrollment_id__in=among(wanted)).values_list("pk", flat=True))
    assert by_among == by_list
    assert len(by_list) == 2 * len(people[::6])
    if connection.vendor == "postgresql":
        # One array parameter, not a placeholder per id.
        assert "unnest" in queries[0]["sql"]
        assert queries[0]["sql"].count("%s") <= 1


def test_a_worker_process_starts_with_the_structures_of_the_plans_it_reminds_of(
    make_user: Callable[..., User], plan: Plan
) -> None:
    other = make_plan(slug="other", days=2)
    enroll(make_user("reminded"), plan, start=MONDAY)
    enroll(make_user("silent"), other, start=MONDAY, enabled=False)
    assert list(reminded_plans()) == [plan]
    structure._local.clear()
    warm_up()
    plan.refresh_from_db()
    assert (plan.pk, plan.version, "/") in structure._local
    assert not any(key[0] == other.pk for key in structure._local)
