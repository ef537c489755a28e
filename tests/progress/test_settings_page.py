"""The settings page: the current values, the days-off and calendar-feed panels, pause and resume, and a fixed
number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from progress.models import DayOff, Enrollment, LearnerProfile, ScheduleChange
from tests.factories import make_plan

NOW = "2026-03-02T02:00:00Z"  # Monday 2 March, 10:00 in Shanghai
START = date(2026, 3, 2)


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=5), start_date=START)
    LearnerProfile.objects.create(user=alice, active_enrollment=enrollment)
    return enrollment


@time_machine.travel(NOW, tick=False)
def test_the_settings_page_shows_the_current_values(client: Client, alice: User, enrollment: Enrollment) -> None:
    client.force_login(alice)

    response = client.get("/settings/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'name="start_date" value="2026-03-02"' in body
    assert 'name="reminder_time" value="08:00"' in body
    assert response.context["form"]["weekdays"].value() == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("extra_enrollments", [0, 5])
@time_machine.travel(NOW, tick=False)
def test_the_settings_page_makes_a_fixed_number_of_queries(
    client: Client, alice: User, enrollment: Enrollment, django_assert_num_queries: Any, extra_enrollments: int
) -> None:
    for i in range(extra_enrollments):
        Enrollment.objects.create(user=alice, plan=make_plan(slug=f"extra{i}", days=1), start_date=START)
    client.force_login(alice)

    # session, user, the learner's enrollments with their plans (shared by the nav and the form), whether
    # paused (schedule changes), upcoming days off
    with django_assert_num_queries(5):
        assert client.get("/settings/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_settings_page_lists_days_off_and_the_calendar_feed(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 10), end_date=date(2026, 3, 11))
    client.force_login(alice)

    html = client.get("/settings/").content.decode()

    assert f'action="/days-off/{off.pk}/delete/"' in html  # the days-off panel, with its remove button
    assert 'action="/days-off/"' in html  # and its form to add more
    assert f"/calendar/{enrollment.calendar_token}.ics" in html
    assert 'action="/settings/calendar-token/"' in html
    assert 'href="/days-off/"' in html and 'href="/reschedule/"' in html
    assert html.count("<h1") == 1


@time_machine.travel(NOW, tick=False)
def test_pause_and_resume_from_the_settings_page_come_back_to_it(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    client.force_login(alice)
    assert 'action="/pause/"' in client.get("/settings/").content.decode()

    assert 'name="next" value="/settings/#pause"' in client.get("/settings/").content.decode()
    response = client.post("/pause/", {"next": "/settings/#pause"})

    assert response.status_code == 302 and response["Location"] == "/settings/#pause"
    assert ScheduleChange.objects.filter(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE).count() == 1
    html = client.get("/settings/").content.decode()
    assert 'action="/resume/"' in html and 'action="/pause/"' not in html

    client.post("/resume/", {"next": "/settings/#pause"})
    assert ScheduleChange.objects.filter(enrollment=enrollment, kind=ScheduleChange.Kind.RESUME).count() == 1
