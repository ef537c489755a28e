"""The settings page: it shows the current values with the days-off and calendar-feed panels and pause and
resume, in a fixed number of queries; each field saves, bad input is a form error that changes nothing, and
the form reaches only the learner's active enrollment."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from progress import page_cache
from progress.models import DayOff, Enrollment, LearnerProfile, ScheduleChange
from tests.factories import make_plan
from tests.progress.helpers import logged_in, settings_form, settings_snapshot

NOW = "2026-03-02T02:00:00Z"  # Monday 2 March, 10:00 in Shanghai
START = date(2026, 3, 2)


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=5), start_date=START)
    LearnerProfile.objects.create(user=alice, active_enrollment=enrollment)
    return enrollment


# --- the page ----------------------------------------------------------------------------------------------


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
    client.get("/settings/")  # the plan's structure is cached from here on
    page_cache.forget_local()  # and the learner's state is not kept in this process (as after a write elsewhere)

    # the session with the user, the learner's enrollments and their plans (one query, shared by the nav and
    # the form), the learner's state (ticks, schedule changes, days off), whether today's reminder is recorded
    # (for "next reminder"), upcoming days off, whether any other plan is open (for "enroll in another plan")
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


# --- saving ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "attribute", "expected"),
    [
        ("weekdays", ["5", "6"], "study_weekdays", 0b1100000),
        ("time_zone", "America/New_York", "time_zone", "America/New_York"),
        ("reminder_time", "06:30", "reminder_time", time(6, 30)),
        ("reminders_enabled", None, "reminders_enabled", False),
        ("morning_start", "07:15", "morning_start", time(7, 15)),
        ("morning_end", "11:00", "morning_end", time(11, 0)),
        ("afternoon_start", "13:00", "afternoon_start", time(13, 0)),
        ("afternoon_end", "18:45", "afternoon_end", time(18, 45)),
        ("start_date", "2026-03-16", "start_date", date(2026, 3, 16)),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_each_setting_saves(
    client: Client, alice: User, enrollment: Enrollment, field: str, value: object, attribute: str, expected: object
) -> None:
    client.force_login(alice)

    response = client.post("/settings/", settings_form(enrollment, **{field: value}))

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    enrollment.refresh_from_db()
    assert getattr(enrollment, attribute) == expected


@time_machine.travel(NOW, tick=False)
def test_turning_reminders_back_on_saves(client: Client, alice: User, enrollment: Enrollment) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
    client.force_login(alice)

    client.post("/settings/", settings_form(enrollment, reminders_enabled="on"))

    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True


@time_machine.travel(NOW, tick=False)
def test_the_language_saves_on_the_profile_and_applies_at_once(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    client.force_login(alice)

    response = client.post("/settings/", settings_form(enrollment, language="en"), follow=True)

    assert LearnerProfile.objects.get(user=alice).language == "en"
    body = response.content.decode()
    assert "Settings saved." in body
    assert '<html lang="en">' in body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"weekdays": None}, "weekdays"),
        ({"weekdays": ["9"]}, "weekdays"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"morning_start": "noon"}, "morning_start"),
        ({"morning_start": "12:00", "morning_end": "09:00"}, "morning_end"),
        ({"afternoon_start": "17:00", "afternoon_end": "14:00"}, "afternoon_end"),
        ({"morning_end": "15:00"}, "afternoon_start"),
        ({"start_date": "2026-02-31"}, "start_date"),
        ({"start_date": "2028-01-01"}, "start_date"),
        ({"language": "fr"}, "language"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_input_is_an_error_and_changes_nothing(
    client: Client, alice: User, enrollment: Enrollment, overrides: dict[str, object], field: str
) -> None:
    before = settings_snapshot(enrollment)
    client.force_login(alice)

    # Every other field is changed too: a bad field must keep the good ones from being saved.
    response = client.post(
        "/settings/",
        settings_form(
            enrollment, **{"reminder_time": "07:00", "time_zone": "Europe/Paris", "language": "en", **overrides}
        ),
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert settings_snapshot(enrollment) == before
    assert LearnerProfile.objects.get(user=alice).language == "zh-hans"
    assert not ScheduleChange.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_moving_the_start_date_records_it_in_the_history(client: Client, alice: User, enrollment: Enrollment) -> None:
    client.force_login(alice)

    client.post("/settings/", settings_form(enrollment, start_date="2026-03-09"))

    change = ScheduleChange.objects.get(enrollment=enrollment)
    assert change.kind == ScheduleChange.Kind.START
    assert change.on_date == date(2026, 3, 9)
    assert change.from_day == 1


@time_machine.travel(NOW, tick=False)
def test_saving_without_moving_the_start_date_records_no_history(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    client.force_login(alice)

    client.post("/settings/", settings_form(enrollment, reminder_time="07:00"))

    assert not ScheduleChange.objects.exists()


@time_machine.travel("2027-06-01T02:00:00Z", tick=False)
def test_a_start_date_over_a_year_old_does_not_block_other_changes(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    client.force_login(alice)

    response = client.post("/settings/", settings_form(enrollment, reminder_time="07:00"))

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.reminder_time == time(7, 0)
    assert enrollment.start_date == START


@time_machine.travel(NOW, tick=False)
def test_settings_change_only_the_active_enrollment(client: Client, alice: User, enrollment: Enrollment) -> None:
    other = Enrollment.objects.create(user=alice, plan=make_plan(slug="other", days=2), start_date=START)
    client.force_login(alice)

    client.post("/settings/", settings_form(enrollment, reminder_time="06:00"))

    other.refresh_from_db()
    enrollment.refresh_from_db()
    assert enrollment.reminder_time == time(6, 0)
    assert other.reminder_time == time(8, 0)


@time_machine.travel(NOW, tick=False)
def test_the_settings_page_never_shows_another_learners_enrollment(
    client: Client, alice: User, bob: User, enrollment: Enrollment
) -> None:
    bobs = Enrollment.objects.create(user=bob, plan=make_plan(slug="bobs", days=2), start_date=START)
    client.force_login(bob)

    client.post("/settings/", settings_form(bobs, reminder_time="05:00"))

    enrollment.refresh_from_db()
    assert enrollment.reminder_time == time(8, 0)
    assert Enrollment.objects.get(user=bob).reminder_time == time(5, 0)


@time_machine.travel(NOW, tick=False)
def test_settings_post_without_csrf_token_is_refused(alice: User, enrollment: Enrollment) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/settings/", settings_form(enrollment, reminder_time="06:00"))

    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.reminder_time == time(8, 0)


# --- hostile input: a form error, never a 500, and nothing saved -------------------------------------------

# Every field changed from the stored values, so a refused field must also keep the good ones from being saved.
CHANGED = {"time_zone": "Europe/Berlin", "weekdays": ["0", "1", "2"], "reminder_time": "07:30", "language": "en"}


@pytest.fixture
def reads_english(alice: User, enrollment: Enrollment) -> None:
    """alice chose English, so the page's messages are the English source strings."""
    LearnerProfile.objects.filter(user=alice).update(language="en")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reminder_time", "24:00"),
        ("reminder_time", "23:59:60"),
        ("reminder_time", "08:00\x00"),
        ("reminder_time", "x" * 100_000),
        ("morning_start", "-1:00"),
        ("morning_end", "08:00"),  # ends before it starts
        ("afternoon_start", "11:00"),  # before the morning ends
        ("afternoon_end", "13:00"),  # before the afternoon starts
        ("time_zone", "Etc"),
        ("time_zone", "\x00"),
        ("language", "xx"),
        ("start_date", (date.today() + timedelta(days=4000)).isoformat()),
        ("weekdays", []),
        ("weekdays", ["9"]),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_bad_setting_is_a_form_error_and_changes_nothing(
    alice: User, enrollment: Enrollment, field: str, value: Any
) -> None:
    before = settings_snapshot(enrollment)
    alice_client = logged_in(alice, raise_request_exception=False)

    response = alice_client.post("/settings/", settings_form(enrollment, **(CHANGED | {field: value})))

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert settings_snapshot(enrollment) == before
    assert not ScheduleChange.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_settings_form_itself_is_accepted(client: Client, alice: User, enrollment: Enrollment) -> None:
    # The baseline the refusals above depart from: unchanged, it saves.
    client.force_login(alice)

    response = client.post("/settings/", settings_form(enrollment, **CHANGED))

    assert response.status_code == 302
    assert settings_snapshot(enrollment)[0] == "Europe/Berlin"


@time_machine.travel(NOW, tick=False)
def test_the_settings_page_needs_the_csrf_token(alice: User, enrollment: Enrollment) -> None:
    client = logged_in(alice, enforce_csrf_checks=True)
    before = settings_snapshot(enrollment)

    assert client.post("/settings/", settings_form(enrollment, **CHANGED)).status_code == 403
    assert settings_snapshot(enrollment) == before


@pytest.mark.usefixtures("reads_english")
@pytest.mark.parametrize("name", ["localtime", "Factory", "../../etc/passwd", "Mars/Base", "Etc/GMT-8", "Asia"])
@time_machine.travel(NOW, tick=False)
def test_it_refuses_time_zones_that_are_not_places(alice: User, enrollment: Enrollment, name: str) -> None:
    alice_client = logged_in(alice, raise_request_exception=False)

    response = alice_client.post(reverse("progress:settings"), settings_form(enrollment, time_zone=name))

    assert response.status_code == 200
    assert "is not a time zone we know." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Asia/Shanghai"


@pytest.mark.parametrize("start", ["9999-12-01", "0001-01-01", "0000-00-00", "10000-01-01"])
@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_start_date_out_of_range_in_the_settings(alice: User, enrollment: Enrollment, start: str) -> None:
    alice_client = logged_in(alice, raise_request_exception=False)
    form = settings_form(enrollment, start_date=start, weekdays=["6"], time_zone="UTC")

    response = alice_client.post(reverse("progress:settings"), form)

    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors
    enrollment.refresh_from_db()
    assert (enrollment.start_date, enrollment.study_weekdays) == (date(2026, 3, 2), 0b0011111)
