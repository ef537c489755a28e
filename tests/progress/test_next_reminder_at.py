"""Each enrollment's stored next reminder instant (progress.reminders.next_at): set by every path that can
change when the next reminder comes, never later than the reminder itself, and what lets a beat tick read
only the learners due. Runs on SQLite and, with DATABASE_URL, on PostgreSQL (its UPDATE from arrays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan
from progress.models import Enrollment, ReminderDelivery
from progress.reminders import next_at
from progress.reminders.due import who_is_due
from progress.reminders.fanout import fan_out
from progress.reminders.upcoming import skip_reminders_already_past
from progress.rescheduling import pause, resume
from progress.structure import structure_for
from tests.progress.reminder_helpers import enroll, learners, utc

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
Status = ReminderDelivery.Status


def stored(e: Enrollment) -> datetime | None:
    return Enrollment.objects.values_list("next_reminder_at", flat=True).get(pk=e.pk)


def due_ids() -> set[int]:
    return {d.enrollment.pk for d in who_is_due()}


def tick() -> int:
    return fan_out(enqueue=lambda ids: None).claimed


def test_a_new_enrollment_stores_its_reminder_time_on_the_eve_of_the_start(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    assert stored(e) == utc("2026-03-01 00:00")  # Sunday 08:00 in Shanghai


def test_writing_a_reminder_field_recomputes_it_in_the_same_save(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    e.reminder_time = dtime(21, 30)
    e.save(update_fields=["reminder_time"])
    assert stored(e) == utc("2026-03-01 13:30")
    e.time_zone = "Europe/Berlin"
    e.save(update_fields=["time_zone"])
    assert stored(e) == utc("2026-03-01 20:30")
    e.start_date = MONDAY - timedelta(days=7)
    e.save()  # the admin's full save
    assert stored(e) == utc("2026-02-22 20:30")


def test_a_save_of_other_fields_leaves_it(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    Enrollment.objects.filter(pk=e.pk).update(next_reminder_at=utc("2026-03-05 00:00"))
    e.weekend_reminders = False
    e.save(update_fields=["weekend_reminders"])
    assert stored(e) == utc("2026-03-05 00:00")


def test_the_fan_out_moves_it_to_the_next_date_for_the_sent_and_the_skipped(
    alice: User, bob: User, plan: Plan, travel: Callable
) -> None:
    sent = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    quiet = enroll(bob, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 00:05"))  # Tuesday 08:05 in Shanghai
    pause(quiet, date(2026, 3, 3))
    assert tick() == 1
    assert ReminderDelivery.objects.get(enrollment=quiet).status == Status.SKIPPED
    assert stored(sent) == stored(quiet) == utc("2026-03-04 00:00")  # Wednesday 08:00
    assert who_is_due() == []


def test_after_a_day_reminded_the_next_is_due_at_its_time_and_not_before(
    alice: User, plan: Plan, travel: Callable
) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="America/New_York", at=dtime(7, 0))
    travel(utc("2026-03-03 12:00"))  # Tuesday 07:00 in New York
    assert tick() == 1
    travel(utc("2026-03-04 11:59"))
    assert due_ids() == set()
    travel(utc("2026-03-04 12:00"))
    assert due_ids() == {e.pk}


def test_moving_the_reminder_time_earlier_after_todays_was_sent_reminds_tomorrow_at_the_new_time(
    alice: User, plan: Plan, travel: Callable
) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(20, 0))
    travel(utc("2026-03-03 12:00"))  # Tuesday 20:00
    assert tick() == 1
    e.reminder_time = dtime(6, 0)
    e.save(update_fields=["reminder_time"])
    at = stored(e)
    assert at is not None and at <= utc("2026-03-03 22:00")
    travel(utc("2026-03-03 21:59"))
    assert due_ids() == set()  # Wednesday 05:59: today's row is there, tomorrow's time not yet come
    travel(utc("2026-03-03 22:00"))  # Wednesday 06:00
    assert due_ids() == {e.pk}


def test_a_new_time_zone_is_due_at_the_reminder_time_there(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 00:00"))
    assert tick() == 1
    e.time_zone = "America/Los_Angeles"
    e.save(update_fields=["time_zone"])
    travel(utc("2026-03-03 15:59"))  # Tuesday 07:59 in Los Angeles: Tuesday's row is already there
    assert due_ids() == set()
    travel(utc("2026-03-04 16:00"))  # Wednesday 08:00 in Los Angeles
    assert due_ids() == {e.pk}


def test_turning_reminders_back_on_is_due_at_the_next_reminder_time(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0), enabled=False)
    travel(utc("2026-03-03 00:00"))
    assert tick() == 0
    e.reminders_enabled = True
    e.save(update_fields=["reminders_enabled"])
    assert due_ids() == {e.pk}


def test_an_earlier_start_date_is_due_on_its_eve(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=date(2026, 3, 30), tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 00:00"))
    assert tick() == 0  # long before the eve: not even looked at
    assert stored(e) == utc("2026-03-29 00:00")
    e.start_date = date(2026, 3, 4)
    e.save(update_fields=["start_date"])
    assert due_ids() == {e.pk}  # Tuesday is the eve now: "tomorrow you begin"


def test_pausing_then_resuming_reminds_the_day_after_the_resume(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 00:00"))
    pause(e, date(2026, 3, 3))
    assert tick() == 0  # skipped: paused
    resume(e, date(2026, 3, 3))
    assert due_ids() == set()  # Tuesday's row says skipped; the pause's day is over for reminders
    travel(utc("2026-03-04 00:00"))
    assert due_ids() == {e.pk}


def test_the_weekend_switch_decides_on_the_day_and_moves_it_on(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    e.weekend_reminders = False
    e.save(update_fields=["weekend_reminders"])
    travel(utc("2026-03-07 00:00"))  # Saturday 08:00: a review day, reminders off on those
    assert tick() == 0
    assert stored(e) == utc("2026-03-08 00:00")
    e.weekend_reminders = True
    e.save(update_fields=["weekend_reminders"])
    travel(utc("2026-03-08 00:00"))  # Sunday
    assert due_ids() == {e.pk}


def test_enrolling_after_the_reminder_time_moves_it_to_tomorrow(alice: User, plan: Plan, travel: Callable) -> None:
    travel(utc("2026-03-03 04:00"))  # Tuesday 12:00 in Shanghai
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    assert skip_reminders_already_past(e) == 1
    assert stored(e) == utc("2026-03-04 00:00")
    assert due_ids() == set()


def test_a_stored_instant_in_the_future_keeps_the_learner_out_of_the_due_query(
    alice: User, plan: Plan, travel: Callable
) -> None:
    """The due query reads only instants that have passed: a learner is never looked at before it."""
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 00:00"))
    Enrollment.objects.filter(pk=e.pk).update(next_reminder_at=utc("2026-03-03 00:01"))
    assert due_ids() == set()
    Enrollment.objects.filter(pk=e.pk).update(next_reminder_at=None)  # unknown: looked at
    assert due_ids() == {e.pk}


def test_refresh_computes_what_the_paths_stored(make_user: Callable[..., User], plan: Plan, travel: Callable) -> None:
    travel(utc("2026-03-03 00:30"))
    zones = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Pacific/Auckland"]
    people = [
        enroll(u, plan, start=MONDAY, tz=zones[i % 4], at=dtime(i % 24, 0))
        for i, u in enumerate(learners(make_user, 12))
    ]
    tick()
    reminded = set(ReminderDelivery.objects.values_list("enrollment_id", flat=True))
    before = {e.pk: stored(e) for e in people if e.pk in reminded}
    Enrollment.objects.update(next_reminder_at=None)
    assert next_at.refresh(now=utc("2026-03-03 00:30")) == 12
    # Those with a row: what the fan-out stored. The others: today's reminder time in their zone, a closer
    # bound than the eve of the start that a save stores without reading rows or the clock.
    assert {e.pk: stored(e) for e in people if e.pk in reminded} == before
    for e in people:
        if e.pk not in reminded:
            today = utc("2026-03-03 00:30").astimezone(next_at.load_zone(e.time_zone)).date()
            assert stored(e) == next_at.earliest_instant(today, e.reminder_time, e.time_zone)
    assert 0 < len(reminded) < 12


def test_a_tick_costs_the_same_queries_for_2_or_20_learners_and_writes_every_instant_in_one(
    make_user: Callable[..., User], plan: Plan, travel: Callable
) -> None:
    def statements(n: int, prefix: str) -> tuple[int, int]:
        for u in learners(make_user, n, prefix):
            enroll(u, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
        with CaptureQueriesContext(connection) as queries:
            assert tick() == n
        # A statement bound on the server is logged as "QUERY = '<its SQL>' PARAMS = ...".
        moved = sum(
            "next_reminder_at" in q["sql"] and q["sql"].removeprefix("QUERY = '").startswith("UPDATE") for q in queries
        )
        return len(queries), moved

    plan.refresh_from_db()
    structure_for(plan)  # built once per plan version in a process, before either tick
    travel(utc("2026-03-03 00:00"))
    few = statements(2, "few")
    travel(utc("2026-03-04 00:00"))  # the few were reminded on Tuesday; Wednesday's tick has them again
    Enrollment.objects.filter(user__username__startswith="few").update(reminders_enabled=False)
    many = statements(20, "many")
    assert few == many
    assert few[1] == 1


@pytest.mark.parametrize(
    ("on", "at", "zone", "expected"),
    [
        # 02:30 does not exist on the spring-forward date: the bound is before the jump (07:00 UTC).
        (date(2026, 3, 8), dtime(2, 30), "America/New_York", utc("2026-03-08 06:30")),
        # 01:30 happens twice on the fall-back date: the first one.
        (date(2026, 11, 1), dtime(1, 30), "America/New_York", utc("2026-11-01 05:30")),
        (date(2026, 3, 3), dtime(8, 0), "Asia/Shanghai", utc("2026-03-03 00:00")),
        (date(2026, 3, 3), dtime(8, 0), "Not/AZone", None),
    ],
)
def test_earliest_instant_is_a_lower_bound_across_daylight_saving(
    on: date, at: dtime, zone: str, expected: Any
) -> None:
    assert next_at.earliest_instant(on, at, zone) == expected


def test_a_reminder_in_the_skipped_hour_is_still_due_at_the_jump(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="America/New_York", at=dtime(2, 30))
    travel(utc("2026-03-07 07:30"))  # Saturday 02:30
    tick()
    travel(utc("2026-03-08 06:59"))  # Sunday 01:59 EST
    assert due_ids() == set()
    travel(utc("2026-03-08 07:00"))  # 03:00 EDT: the first instant past 02:30
    assert due_ids() == {e.pk}
