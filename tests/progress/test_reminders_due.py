"""Who is due for a reminder: local times across zones, both DST changes, plan state, one query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import time as dtime
from typing import Any

import pytest
from django.contrib.auth.models import User

from curriculum.models import Plan, Task
from progress.models import DayOff, Enrollment, ReminderDelivery, ScheduleChange, TaskCompletion
from progress.reminders.due import Kind, due_enrollments, reminder_zones, who_is_due, zones_now
from progress.reminders.fanout import fan_out
from progress.structure import structure_for
from tests.progress.reminder_helpers import enroll, learners, utc

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


def due_now() -> dict[int, Kind]:
    return {d.enrollment.pk: d.kind for d in who_is_due()}


def claim_all() -> int:
    """Run the fan-out, claiming rows (enqueue is not needed for who-is-due questions)."""
    return fan_out(enqueue=lambda ids: None).claimed


def test_it_is_due_once_reminder_time_has_passed_in_shanghai(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-02 23:59"))  # 07:59 on Tuesday in Shanghai
    assert due_now() == {}
    travel(utc("2026-03-03 00:00"))  # 08:00 on Tuesday
    assert due_now() == {e.pk: Kind.STUDY}
    assert [d.local_date for d in who_is_due()] == [date(2026, 3, 3)]


def test_a_reminder_just_before_midnight_is_sent_by_the_first_run_after_it(
    alice: User, bob: User, plan: Plan, travel: Callable, settings: Any
) -> None:
    settings.REMINDER_GRACE_SECONDS = 600
    late = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(23, 58))
    early = enroll(bob, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    travel(utc("2026-03-03 15:55"))  # 23:55 on Tuesday: alice not yet
    assert due_now() == {early.pk: Kind.STUDY}
    # After midnight only reminder times inside the grace window count for the day before: bob, whose
    # Tuesday reminder was never claimed in this test, is not swept into Wednesday's first run.
    travel(utc("2026-03-03 16:00"))  # 00:00 on Wednesday: the next run still sends Tuesday's
    assert [(d.enrollment.pk, d.local_date) for d in who_is_due()] == [(late.pk, date(2026, 3, 3))]
    assert claim_all() == 1
    assert claim_all() == 0


def test_a_late_reminder_outside_the_grace_window_is_not_sent_the_next_day(
    alice: User, plan: Plan, travel: Callable, settings: Any
) -> None:
    settings.REMINDER_GRACE_SECONDS = 600
    enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(23, 40))
    travel(utc("2026-03-03 16:05"))  # 00:05 on Wednesday; 23:40 was 25 minutes ago
    assert due_now() == {}


def test_it_uses_the_half_hour_offset_of_kolkata(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Kolkata", at=dtime(8, 0))
    travel(utc("2026-03-03 02:29"))  # 07:59 IST
    assert due_now() == {}
    travel(utc("2026-03-03 02:30"))
    assert due_now() == {e.pk: Kind.STUDY}


def test_each_zone_is_due_at_its_own_local_time(make_user: Callable[..., User], plan: Plan, travel: Callable) -> None:
    users = learners(make_user, 5)
    zones = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
    by_zone = {z: enroll(u, plan, start=MONDAY, tz=z, at=dtime(9, 0)) for u, z in zip(users, zones, strict=True)}
    # 2026-03-04 01:30 UTC: Shanghai 09:30 ✓, New York 20:30 (Mar 3) ✓, Berlin 02:30 ✗,
    # Lord Howe 12:30 ✓, Kolkata 07:00 ✗.
    travel(utc("2026-03-04 01:30"))
    due = {d.enrollment.time_zone: d.local_date for d in who_is_due()}
    assert due == {
        "Asia/Shanghai": date(2026, 3, 4),
        "America/New_York": date(2026, 3, 3),
        "Australia/Lord_Howe": date(2026, 3, 4),
    }
    assert by_zone["Europe/Berlin"].pk not in due_now()


def test_it_is_not_due_again_once_claimed_today(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    travel(utc("2026-03-03 00:05"))
    assert claim_all() == 1
    travel(utc("2026-03-03 10:00"))
    assert due_now() == {}
    travel(utc("2026-03-04 00:05"))  # the next local day
    assert due_now() == {e.pk: Kind.STUDY}


def test_spring_forward_sends_a_missing_time_at_the_next_valid_instant_new_york(
    alice: User, plan: Plan, travel: Callable
) -> None:
    # 2026-03-08: clocks jump from 02:00 to 03:00 in New York; 02:30 does not exist that day.
    e = enroll(alice, plan, start=MONDAY, tz="America/New_York", at=dtime(2, 30))
    travel(utc("2026-03-08 06:59"))  # 01:59 EST
    assert due_now() == {}
    travel(utc("2026-03-08 07:00"))  # 03:00 EDT, the next valid instant
    assert due_now() == {e.pk: Kind.REVIEW}  # a Sunday inside the plan


def test_spring_forward_in_berlin(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=date(2026, 3, 23), tz="Europe/Berlin", at=dtime(2, 15))
    travel(utc("2026-03-29 00:59"))  # 01:59 CET
    assert due_now() == {}
    travel(utc("2026-03-29 01:00"))  # 03:00 CEST
    assert due_now() == {e.pk: Kind.REVIEW}


def test_fall_back_sends_a_repeated_time_once_new_york(alice: User, plan: Plan, travel: Callable) -> None:
    # 2026-11-01: 01:00-02:00 happens twice in New York.
    enroll(alice, plan, start=date(2026, 10, 26), tz="America/New_York", at=dtime(1, 30))
    travel(utc("2026-11-01 05:29"))  # 01:29 EDT
    assert claim_all() == 0
    travel(utc("2026-11-01 05:30"))  # 01:30 EDT, the first time
    assert claim_all() == 1
    travel(utc("2026-11-01 06:30"))  # 01:30 EST, the second time
    assert claim_all() == 0
    assert ReminderDelivery.objects.filter(local_date=date(2026, 11, 1)).count() == 1


def test_fall_back_in_berlin_sends_once(alice: User, plan: Plan, travel: Callable) -> None:
    enroll(alice, plan, start=date(2026, 10, 19), tz="Europe/Berlin", at=dtime(2, 30))
    travel(utc("2026-10-25 00:30"))  # 02:30 CEST
    assert claim_all() == 1
    travel(utc("2026-10-25 01:30"))  # 02:30 CET again
    assert claim_all() == 0


def test_lord_howe_half_hour_spring_forward(alice: User, plan: Plan, travel: Callable) -> None:
    # 2026-10-04: Lord Howe moves from 02:00 to 02:30 (+10:30 -> +11:00); 02:15 does not exist.
    e = enroll(alice, plan, start=date(2026, 9, 28), tz="Australia/Lord_Howe", at=dtime(2, 15))
    travel(utc("2026-10-03 15:29"))  # 01:59 local
    assert due_now() == {}
    travel(utc("2026-10-03 15:30"))  # 02:30 local, the next valid instant
    assert due_now() == {e.pk: Kind.REVIEW}


def test_lord_howe_half_hour_fall_back_sends_once(alice: User, plan: Plan, travel: Callable) -> None:
    # 2026-04-05: 01:30-02:00 happens twice in Lord Howe.
    enroll(alice, plan, start=date(2026, 3, 30), tz="Australia/Lord_Howe", at=dtime(1, 45))
    travel(utc("2026-04-04 14:45"))  # 01:45 +11:00
    assert claim_all() == 1
    travel(utc("2026-04-04 15:15"))  # 01:45 +10:30
    assert claim_all() == 0


def test_not_started_gets_none(alice: User, plan: Plan, travel: Callable) -> None:
    enroll(alice, plan, start=date(2026, 3, 9), at=dtime(8, 0))
    travel(utc("2026-03-06 12:00"))  # Friday, three days before the start
    assert due_now() == {}


def test_the_day_before_the_start_says_tomorrow_you_begin(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=date(2026, 3, 9), at=dtime(8, 0))
    travel(utc("2026-03-08 12:00"))  # Sunday 20:00 in Shanghai, the start is Monday
    assert due_now() == {e.pk: Kind.EVE}


def test_the_eve_is_before_the_first_study_day_not_the_start_date(alice: User, plan: Plan, travel: Callable) -> None:
    # Starting on a Saturday: the first study day is Monday, so Saturday itself is not the eve.
    e = enroll(alice, plan, start=date(2026, 3, 7), at=dtime(8, 0))
    travel(utc("2026-03-07 12:00"))
    assert due_now() == {}
    travel(utc("2026-03-08 12:00"))
    assert due_now() == {e.pk: Kind.EVE}


def test_finished_plan_gets_none(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=t) for t in Task.objects.all())
    travel(utc("2026-03-04 12:00"))
    assert due_now() == {}


def test_after_the_last_plan_day_gets_none(alice: User, plan: Plan, travel: Callable) -> None:
    enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    travel(utc("2026-03-13 12:00"))  # day 10, the last
    assert len(due_now()) == 1
    travel(utc("2026-03-14 12:00"))
    assert due_now() == {}


def test_reminders_off_gets_none(alice: User, plan: Plan, travel: Callable) -> None:
    enroll(alice, plan, start=MONDAY, at=dtime(8, 0), enabled=False)
    travel(utc("2026-03-03 12:00"))
    assert due_now() == {}


def test_paused_gets_none_until_resumed(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    ScheduleChange.objects.create(enrollment=e, kind=ScheduleChange.Kind.PAUSE, on_date=date(2026, 3, 3))
    travel(utc("2026-03-04 12:00"))
    assert due_now() == {}
    ScheduleChange.objects.create(enrollment=e, kind=ScheduleChange.Kind.RESUME, on_date=date(2026, 3, 5))
    travel(utc("2026-03-05 12:00"))
    assert e.pk in due_now()


def test_an_undone_pause_does_not_stop_reminders(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    ScheduleChange.objects.create(
        enrollment=e, kind=ScheduleChange.Kind.PAUSE, on_date=date(2026, 3, 3), undone_at=utc("2026-03-03 09:00")
    )
    travel(utc("2026-03-04 12:00"))
    assert e.pk in due_now()


def test_a_day_off_gets_none(alice: User, plan: Plan, travel: Callable) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    DayOff.objects.create(enrollment=e, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4))
    travel(utc("2026-03-04 12:00"))
    assert due_now() == {}


def test_the_due_set_is_one_query(
    make_user: Callable[..., User], plan: Plan, travel: Callable, django_assert_num_queries: Callable
) -> None:
    zones = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
    for i, user in enumerate(learners(make_user, 10)):
        enroll(user, plan, start=MONDAY, tz=zones[i % 5], at=dtime(0, 0))
    travel(utc("2026-03-04 12:00"))
    local = zones_now(reminder_zones(), utc("2026-03-04 12:00"))
    with django_assert_num_queries(1):
        due = list(due_enrollments(utc("2026-03-04 12:00"), local))
    assert len(due) == 10


def test_deciding_who_is_due_costs_the_same_for_3_or_30_learners(
    make_user: Callable[..., User], plan: Plan, travel: Callable, django_assert_num_queries: Callable
) -> None:
    travel(utc("2026-03-04 12:00"))
    for user in learners(make_user, 3, "few"):
        enroll(user, plan, start=MONDAY, at=dtime(0, 0))
    plan.refresh_from_db()  # the version its rows were last saved with
    structure_for(plan)  # built once per plan version in a process, not per run: the pages build it too
    # zones (DISTINCT), the due set, schedule changes and days off (one query), ticks of those due
    with django_assert_num_queries(4):
        assert len(who_is_due()) == 3
    for user in learners(make_user, 27, "many"):
        enroll(user, plan, start=MONDAY, tz="Europe/Berlin", at=dtime(0, 0))
    with django_assert_num_queries(4):
        assert len(who_is_due()) == 30


def test_an_enrollment_of_another_learner_does_not_hide_mine(
    alice: User, bob: User, plan: Plan, travel: Callable
) -> None:
    a = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    b = enroll(bob, plan, start=MONDAY, at=dtime(8, 0))
    ReminderDelivery.objects.create(enrollment=b, local_date=date(2026, 3, 4))
    travel(utc("2026-03-04 12:00"))
    assert due_now() == {a.pk: Kind.STUDY}
    assert Enrollment.objects.count() == 2


def test_the_last_day_is_still_due_when_a_middle_day_was_emptied(alice: User, plan: Plan, travel: Callable) -> None:
    # The schedule is sized by the highest day number everywhere (pages, feed, reminders): a day an instructor
    # emptied must not cost the plan's last day its reminder.
    e = enroll(alice, plan, start=MONDAY, tz="Asia/Shanghai", at=dtime(8, 0))
    Task.objects.filter(session__day__plan=plan, session__day__number=2).delete()
    travel(utc("2026-03-13 04:00"))  # Friday 12:00 in Shanghai: day 10, the last
    assert due_now() == {e.pk: Kind.STUDY}
