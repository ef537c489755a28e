"""The weekend-reminders switch: on, a review day's email links to the review of the week just studied;
off, review days get no reminder at all, and study days are unaffected."""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as dtime

import pytest
import time_machine
from django.contrib.auth.models import User

from curriculum.models import Plan
from progress.models import Enrollment
from progress.reminders.due import Kind, who_is_due
from progress.reminders.message import NothingToSend, build_message
from tests.factories import make_plan
from tests.progress.helpers import logged_in, settings_form
from tests.progress.reminder_helpers import enroll

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)  # review day after week 1
SECOND_SATURDAY = date(2026, 3, 14)  # review day after week 2


def at_shanghai_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def test_a_review_day_reminder_links_to_the_week_just_studied(alice: User) -> None:
    e = enroll(alice, make_plan(days=15), start=MONDAY, language="en")

    assert "/review/1/\n" in build_message(e, SATURDAY).body
    second = build_message(e, SECOND_SATURDAY)
    assert "Review the week: " in second.body and "/review/2/\n" in second.body
    assert "/review/2/" in str(second.alternatives[0][0])


def test_with_weekend_reminders_off_a_review_day_gets_nothing(alice: User, plan: Plan) -> None:
    e = enroll(alice, plan, start=MONDAY)
    Enrollment.objects.filter(pk=e.pk).update(weekend_reminders=False)
    e.refresh_from_db()

    with pytest.raises(NothingToSend, match="weekend reminders are off"):
        build_message(e, SATURDAY)
    assert build_message(e, MONDAY).to == [alice.email]  # study days still come


@pytest.mark.parametrize(("weekend", "expected"), [(True, Kind.REVIEW), (False, None)])
def test_who_is_due_follows_the_switch(alice: User, plan: Plan, weekend: bool, expected: Kind | None) -> None:
    e = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    Enrollment.objects.filter(pk=e.pk).update(weekend_reminders=weekend)

    with time_machine.travel(at_shanghai_nine(SATURDAY), tick=False):
        due = {d.enrollment.pk: d.kind for d in who_is_due()}
    assert due.get(e.pk) == expected
    with time_machine.travel(at_shanghai_nine(MONDAY), tick=False):
        assert {d.enrollment.pk: d.kind for d in who_is_due()} == {e.pk: Kind.STUDY}


def test_the_settings_page_turns_weekend_reminders_off_and_on(alice: User, enrollment: Enrollment) -> None:
    client = logged_in(alice)
    assert enrollment.weekend_reminders  # on unless the learner turns it off

    client.post("/settings/", settings_form(enrollment, weekend_reminders=None))
    enrollment.refresh_from_db()
    assert not enrollment.weekend_reminders

    client.post("/settings/", settings_form(enrollment, weekend_reminders="on"))
    enrollment.refresh_from_db()
    assert enrollment.weekend_reminders
    assert 'name="weekend_reminders"' in client.get("/settings/").content.decode()
