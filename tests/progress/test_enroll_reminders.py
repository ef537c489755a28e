"""Reminders from enrolling on: the enroll form asks about them, a learner who enrolls after today's
reminder time gets no email within the minute unless they ask for one, and the settings page says when the
next reminder comes and sends a test reminder that is not the daily one."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from curriculum.models import Plan
from progress.models import DayOff, Enrollment, ReminderDelivery, ScheduleChange
from progress.reminders.due import who_is_due
from progress.reminders.fanout import fan_out
from progress.reminders.on_demand import TEST_REMINDER_LIMIT
from progress.reminders.upcoming import ENROLLED_LATE, next_reminder_date
from progress.schedule import Schedule, ScheduleInput
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in, settings_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

MONDAY = START  # 2 March 2026
TUESDAY = date(2026, 3, 3)


def enroll_post(client: Client, plan: Plan, **overrides: object) -> None:
    data: dict[str, object] = {
        "plan": plan.pk,
        "start_date": MONDAY.isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "time_zone": "Asia/Shanghai",
        "reminders_enabled": "on",
        "reminder_time": "08:00",
    }
    data.update(overrides)
    response = client.post("/enroll/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.content.decode()[:2000]


def claimed_now() -> set[int]:
    fan_out(enqueue=lambda ids: None)
    return set(ReminderDelivery.objects.exclude(status="skipped").values_list("enrollment_id", flat=True))


def test_the_enroll_form_asks_about_reminders_with_a_default(alice: User, plan: Plan, on_local_date) -> None:
    on_local_date(MONDAY)
    html = logged_in(alice).get("/enroll/").content.decode()

    assert 'name="reminders_enabled"' in html and 'name="reminders_enabled" checked' in html.replace(
        ' id="id_reminders_enabled"', ""
    )
    assert 'name="reminder_time" value="08:00"' in html
    assert 'name="remind_today"' in html


def test_enrolling_with_reminders_off_stores_it(alice: User, plan: Plan, on_local_date) -> None:
    on_local_date(MONDAY, time(7, 0))
    enroll_post(logged_in(alice), plan, reminders_enabled=None, reminder_time="19:30")

    e = Enrollment.objects.get(user=alice)
    assert (e.reminders_enabled, e.reminder_time) == (False, time(19, 30))


def test_enrolling_after_the_reminder_time_sends_nothing_today(alice: User, plan: Plan, on_local_date) -> None:
    on_local_date(MONDAY, time(10, 0))  # the 08:00 reminder has passed
    enroll_post(logged_in(alice), plan)
    e = Enrollment.objects.get(user=alice)

    assert claimed_now() == set()
    row = ReminderDelivery.objects.get(enrollment=e)
    assert (row.local_date, row.status, row.error) == (MONDAY, "skipped", ENROLLED_LATE)
    on_local_date(TUESDAY, time(8, 0))
    assert claimed_now() == {e.pk}  # the next day's comes as usual


def test_a_learner_who_asks_for_todays_reminder_gets_it_at_once(alice: User, plan: Plan, on_local_date) -> None:
    on_local_date(MONDAY, time(10, 0))
    enroll_post(logged_in(alice), plan, remind_today="on")

    assert claimed_now() == {Enrollment.objects.get(user=alice).pk}


def test_enrolling_before_the_reminder_time_gets_todays_at_its_time(alice: User, plan: Plan, on_local_date) -> None:
    on_local_date(MONDAY, time(7, 0))
    enroll_post(logged_in(alice), plan)

    assert not ReminderDelivery.objects.exists()
    on_local_date(MONDAY, time(8, 0))
    assert [d.local_date for d in who_is_due()] == [MONDAY]


def next_line(client: Client) -> str:
    html = client.get("/settings/").content.decode()
    start = html.index('id="next-reminder">') + len('id="next-reminder">')
    return html[start : html.index("</p>", start)]


def test_after_changing_the_reminder_time_the_settings_page_says_when_the_next_one_comes(
    alice: User, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(MONDAY, time(10, 0))
    client = logged_in(alice)

    client.post("/settings/", settings_form(enrollment, reminder_time="21:30"))
    assert next_line(client) == "Next reminder: Monday, March 2, 2026 at 21:30 (Asia/Shanghai)."

    ReminderDelivery.objects.create(enrollment=enrollment, local_date=MONDAY, status="sent")
    client.post("/settings/", settings_form(enrollment, reminder_time="09:15"))
    # Today's was sent already: the next is tomorrow's, at the new time.
    assert next_line(client) == "Next reminder: Tuesday, March 3, 2026 at 09:15 (Asia/Shanghai)."


def test_the_next_reminder_follows_the_rules_the_fan_out_applies(
    alice: User, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(date(2026, 3, 6), time(10, 0))  # Friday; the 08:00 reminder is not sent yet
    client = logged_in(alice)
    assert next_line(client).startswith("Next reminder: today, within a few minutes")

    ReminderDelivery.objects.create(enrollment=enrollment, local_date=date(2026, 3, 6), status="sent")
    Enrollment.objects.filter(pk=enrollment.pk).update(weekend_reminders=False)
    DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 9), end_date=date(2026, 3, 9))
    # No weekend reminders, Monday off (the plan moves past it): Tuesday.
    assert next_line(client) == "Next reminder: Tuesday, March 10, 2026 at 08:00 (Asia/Shanghai)."

    ScheduleChange.objects.create(enrollment=enrollment, kind="pause", on_date=date(2026, 3, 6))
    assert next_line(client) == "No reminder is coming: the plan is paused, over or finished."
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
    assert next_line(client) == "Reminders are off: no email will be sent."


def test_next_reminder_date_is_none_once_the_plan_is_over_or_finished() -> None:
    schedule = Schedule.build(ScheduleInput(MONDAY, frozenset(range(5)), 3, (), ()))
    assert next_reminder_date(schedule, (), (), date(2026, 3, 1), finished=False, review_days=True) == date(
        2026, 3, 1
    )  # the eve
    assert next_reminder_date(schedule, (), (), date(2026, 3, 5), finished=False, review_days=True) is None
    assert next_reminder_date(schedule, (), (), MONDAY, finished=True, review_days=True) is None


def test_a_test_reminder_is_sent_at_once_and_is_not_the_daily_one(
    alice: User, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(MONDAY, time(7, 0))
    client = logged_in(alice)

    response = client.post("/settings/test-reminder/", follow=True)

    assert "A test reminder is on its way to alice@example.com." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject.startswith("[Test] Day 1 · ")
    assert "This is the test reminder you asked for on the settings page." in message.body
    assert not ReminderDelivery.objects.exists()  # no daily row created or claimed
    on_local_date(MONDAY, time(8, 0))
    assert claimed_now() == {enrollment.pk}  # the daily one still comes


def test_a_test_reminder_arrives_on_a_date_without_one_and_with_reminders_off(
    alice: User, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(date(2026, 4, 1))  # the 10-day plan is over
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)

    logged_in(alice).post("/settings/test-reminder/")

    [message] = mail.outbox
    assert message.subject == "[Test] Your reminder for “Plan test-plan”"
    assert "There is nothing to remind you of today" in message.body
    assert not ReminderDelivery.objects.exists()


def test_test_reminders_are_rate_limited(alice: User, enrollment: Enrollment, on_local_date) -> None:
    on_local_date(MONDAY)
    client = logged_in(alice)
    for _ in range(TEST_REMINDER_LIMIT):
        client.post("/settings/test-reminder/")

    refused = client.post("/settings/test-reminder/", follow=True)

    assert len(mail.outbox) == TEST_REMINDER_LIMIT
    assert "please try again later" in refused.content.decode()


def test_the_test_reminder_needs_a_post_with_the_csrf_token(alice: User, enrollment: Enrollment) -> None:
    client = logged_in(alice, enforce_csrf_checks=True)
    assert client.get("/settings/test-reminder/").status_code == 405
    assert client.post("/settings/test-reminder/").status_code == 403
    assert mail.outbox == []


@pytest.mark.parametrize("others", [0, 1])
def test_enroll_in_another_plan_is_offered_only_when_one_is_left(
    alice: User, enrollment: Enrollment, others: int
) -> None:
    for i in range(others):
        make_plan(slug=f"other{i}", days=1)
    html = logged_in(alice).get("/settings/").content.decode()
    assert ('href="/enroll/"' in html) == bool(others)
