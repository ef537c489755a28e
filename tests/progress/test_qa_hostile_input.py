"""Hostile and malformed input found by QA: each gets a clear answer and changes nothing, never a 500.

Several of these only broke on PostgreSQL (it refuses NUL characters in text), so run them there too:
DATABASE_URL=postgres://... uv run pytest tests/progress/test_qa_hostile_input.py
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from curriculum.models import Day, Plan, Task
from progress.models import DayNote, DayOff, Enrollment, LearnerProfile, TaskCompletion
from progress.services import overview
from tests.factories import make_plan

HTMX = {"HX-Request": "true"}
SAT = date(2026, 3, 7)


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    LearnerProfile.objects.create(user=alice, language="en")
    return Enrollment.objects.create(user=alice, plan=make_plan(days=5), start_date=date(2026, 3, 2))


@pytest.fixture
def alice_client(alice: User, enrollment: Enrollment) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


@pytest.fixture
def on_saturday(time_machine: object) -> None:
    # Noon in Asia/Shanghai, the learner's time zone.
    time_machine.move_to(datetime(2026, 3, 7, 4, 0, tzinfo=UTC), tick=False)  # type: ignore[attr-defined]


def test_it_answers_404_for_a_feed_token_with_a_nul_character(enrollment: Enrollment) -> None:
    anonymous = Client(raise_request_exception=False)

    response = anonymous.get("/calendar/%00" + enrollment.calendar_token[1:] + ".ics")

    assert response.status_code == 404


def test_it_answers_404_for_a_feed_token_with_characters_no_token_has(enrollment: Enrollment) -> None:
    anonymous = Client(raise_request_exception=False)

    assert anonymous.get("/calendar/" + enrollment.calendar_token[:-1] + "%C3%A9.ics").status_code == 404
    # The genuine token still works.
    assert anonymous.get(f"/calendar/{enrollment.calendar_token}.ics").status_code == 200


def test_it_refuses_a_note_with_a_nul_character(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:note_save", args=[1]), {"body": "before\x00after", "version": "0"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    # The learner's text is kept in the editor (minus nothing: they can remove the character themselves).
    assert "before" in response.content.decode()
    assert not DayNote.objects.exists()


def test_it_refuses_a_note_with_a_nul_character_over_htmx(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(
        reverse("progress:note_save", args=[1]), {"body": "x\x00", "version": "0"}, headers=HTMX
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers; the message is in the body
    assert "Null characters are not allowed." in response.content.decode()
    assert not DayNote.objects.exists()


def test_it_keeps_the_stored_note_when_an_edit_has_a_nul_character(
    alice_client: Client, enrollment: Enrollment
) -> None:
    alice_client.post(reverse("progress:note_save", args=[1]), {"body": "first", "version": "0"})

    alice_client.post(reverse("progress:note_save", args=[1]), {"body": "second\x00", "version": "1"})

    note = DayNote.objects.get()
    assert (note.body, note.version) == ("first", 1)


@pytest.mark.usefixtures("on_saturday")
def test_it_refuses_days_off_in_year_9999(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "9999-12-31"})

    assert response.status_code == 400
    assert "at most two years ahead" in response.content.decode()
    assert not DayOff.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_it_accepts_days_off_up_to_two_years_ahead(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:days_off"), {"start_date": "2028-03-07"})

    assert response.status_code == 302
    assert DayOff.objects.get().start_date == date(2028, 3, 7)


def test_it_dates_every_day_when_an_instructor_removed_a_middle_day(
    alice_client: Client, enrollment: Enrollment
) -> None:
    # Deleting a day nobody has progress on is allowed in the admin; the numbering then has a gap.
    Day.objects.get(plan=enrollment.plan, number=3).delete()
    feed = Calendar.from_ical(alice_client.get(f"/calendar/{enrollment.calendar_token}.ics").content)
    feed_dates = {str(e["SUMMARY"]).split(" ")[1]: e.decoded("DTSTART").date() for e in feed.walk("VEVENT")}

    response = alice_client.get(reverse("progress:day", args=[5]))

    assert response.status_code == 200
    assert response.context["date"] == feed_dates["5"] == date(2026, 3, 6)
    assert response.context["next_number"] is None  # day 5 is still the last day
    day_2 = alice_client.get(reverse("progress:day", args=[2])).context
    day_4 = alice_client.get(reverse("progress:day", args=[4])).context
    assert (day_2["next_number"], day_4["prev_number"]) == (4, 2)  # the links skip the deleted day 3


@pytest.mark.parametrize("name", ["localtime", "Factory", "../../etc/passwd", "Mars/Base"])
def test_it_refuses_time_zones_that_are_not_places(alice_client: Client, enrollment: Enrollment, name: str) -> None:
    form = {
        "start_date": "2026-03-02",
        "weekdays": ["0", "1", "2", "3", "4"],
        "time_zone": name,
        "reminder_time": "08:00",
        "morning_start": "09:00",
        "morning_end": "12:00",
        "afternoon_start": "14:00",
        "afternoon_end": "17:00",
        "language": "en",
    }

    response = alice_client.post(reverse("progress:settings"), form)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Asia/Shanghai"


def dates_of(enrollment: Enrollment, today: date) -> tuple[date, ...]:
    enrollment.refresh_from_db()
    return overview(enrollment, today).schedule.dates


@pytest.mark.usefixtures("on_saturday")
def test_it_keeps_past_dates_when_a_day_off_in_the_past_is_removed(
    alice_client: Client, enrollment: Enrollment
) -> None:
    # Added back when it was still ahead: Tuesday 3 March off moved days 2-5 by one study day.
    off = DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 3), end_date=date(2026, 3, 3))
    before = dates_of(enrollment, SAT)

    response = alice_client.post(reverse("progress:day_off_delete", args=[off.pk]))

    assert response.status_code == 302
    assert DayOff.objects.filter(pk=off.pk).exists()
    assert dates_of(enrollment, SAT) == before
    page = alice_client.get(response["Location"])
    assert "past days keep their dates" in page.content.decode()


@pytest.mark.usefixtures("on_saturday")
def test_it_removes_only_the_coming_part_of_a_day_off_that_has_begun(
    alice_client: Client, enrollment: Enrollment
) -> None:
    off = DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 5), end_date=date(2026, 3, 10))
    before = dates_of(enrollment, SAT)

    response = alice_client.post(reverse("progress:day_off_delete", args=[off.pk]))

    assert response.status_code == 302
    off.refresh_from_db()
    assert (off.start_date, off.end_date) == (date(2026, 3, 5), date(2026, 3, 6))
    after = dates_of(enrollment, SAT)
    assert [d for d in after if d < SAT] == [d for d in before if d < SAT]
    assert after[-1] < before[-1]  # the coming days moved back


def test_it_refuses_to_enroll_with_a_start_date_near_date_max(alice: User) -> None:
    # Laying a plan out from 9999-12-01 would run past date.max; the form's window is the bound.
    LearnerProfile.objects.create(user=alice, language="en")
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    make_plan(slug="other", days=3)
    form = {"plan": str(Plan.objects.get(slug="other").pk), "start_date": "9999-12-01", "weekdays": ["6"]}

    response = client.post(reverse("progress:enroll"), {**form, "time_zone": "UTC"})

    assert response.status_code == 200
    assert "Choose a start date within a year of today" in response.content.decode()
    assert not Enrollment.objects.filter(plan__slug="other").exists()


@pytest.mark.parametrize("start", ["9999-12-01", "0001-01-01", "0000-00-00", "10000-01-01"])
def test_it_refuses_a_start_date_out_of_range_in_the_settings(
    alice_client: Client, enrollment: Enrollment, start: str
) -> None:
    form = {
        "start_date": start,
        "weekdays": ["6"],
        "time_zone": "UTC",
        "reminder_time": "08:00",
        "morning_start": "09:00",
        "morning_end": "12:00",
        "afternoon_start": "14:00",
        "afternoon_end": "17:00",
        "language": "en",
    }

    response = alice_client.post(reverse("progress:settings"), form)

    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors
    enrollment.refresh_from_db()
    assert (enrollment.start_date, enrollment.study_weekdays) == (date(2026, 3, 2), 0b0011111)


def test_a_day_emptied_in_the_admin_is_done_not_missed_and_keeps_the_streak(enrollment: Enrollment) -> None:
    Task.objects.filter(session__day__plan=enrollment.plan, session__day__number=2).delete()
    ticked = Task.objects.filter(session__day__plan=enrollment.plan, session__day__number__in=[1, 3])
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in ticked)
    thursday = date(2026, 3, 5)  # day 4 is due and open

    ov = overview(enrollment, thursday)

    assert [ov.day_state(n) for n in (1, 2, 3, 4, 5)] == ["done", "done", "done", "today", "upcoming"]
    assert ov.days_behind == 0  # the emptied day 2 is not missed, and today's own day 4 never counts
    assert ov.streak == 3
    assert overview(enrollment, date(2026, 3, 6)).days_behind == 1  # a day later: only day 4, still not day 2
