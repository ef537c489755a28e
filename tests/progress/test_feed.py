"""The calendar feed, parsed back with icalendar as a calendar app would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from curriculum.models import Session
from progress import rescheduling
from progress.models import Enrollment, ScheduleChange
from tests.factories import make_plan
from tests.progress.helpers import OFFSITE

MON = date(2026, 3, 2)
SAT = date(2026, 3, 7)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The feed covers a window around today (tests/progress/test_feed_window.py): these plans start on MON, so
# every test reads it on the Saturday after, with all their days inside the window.
pytestmark = pytest.mark.usefixtures("on_saturday")


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=make_plan(days=10), start_date=MON)


def feed_url(enrollment: Enrollment) -> str:
    return reverse("progress:calendar_feed", args=[enrollment.calendar_token])


def fetch(client: Client, enrollment: Enrollment) -> Calendar:
    response = client.get(feed_url(enrollment))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events_by_uid(cal: Calendar) -> dict[str, datetime]:
    return {str(e["UID"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}


def test_one_event_per_session(client: Client, enrollment: Enrollment) -> None:
    cal = fetch(client, enrollment)
    assert len(cal.walk("VEVENT")) == Session.objects.filter(day__plan=enrollment.plan).count() == 20


def test_events_are_at_the_study_hours_in_the_learners_zone(client: Client, enrollment: Enrollment) -> None:
    cal = fetch(client, enrollment)
    first_morning, first_afternoon = cal.walk("VEVENT")[:2]
    assert first_morning.decoded("DTSTART") == datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert first_morning.decoded("DTEND") == datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
    assert first_afternoon.decoded("DTSTART") == datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI)
    assert first_morning["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_events_follow_the_chosen_hours_and_zone(client: Client, enrollment: Enrollment) -> None:
    enrollment.time_zone = "Europe/Berlin"
    enrollment.morning_start, enrollment.morning_end = time(7, 30), time(10, 0)
    enrollment.save()
    first = fetch(client, enrollment).walk("VEVENT")[0]
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 7, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 2, 6, 30, tzinfo=UTC)


def test_a_full_day_session_spans_morning_start_to_afternoon_end(client: Client, enrollment: Enrollment) -> None:
    Session.objects.filter(day__plan=enrollment.plan, day__number=1, slot=Session.Slot.AFTERNOON).delete()
    Session.objects.filter(day__plan=enrollment.plan, day__number=1).update(slot=Session.Slot.FULL_DAY)
    first = fetch(client, enrollment).walk("VEVENT")[0]
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert first.decoded("DTEND") == datetime(2026, 3, 2, 17, 0, tzinfo=SHANGHAI)


def test_summary_and_description_carry_topic_tasks_and_link(
    client: Client, enrollment: Enrollment, settings: object
) -> None:
    settings.SITE_URL = "https://plan.example.org"  # type: ignore[attr-defined]
    event = fetch(client, enrollment).walk("VEVENT")[0]
    assert "Topic 1m" in str(event["SUMMARY"])
    assert "1" in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert "- Task 1 of Topic 1m" in description
    assert "- Task 2 of Topic 1m" in description
    assert "https://plan.example.org/days/1/" in description
    assert str(event["UID"]).endswith("@plan.example.org")


@pytest.mark.usefixtures("on_saturday")
def test_uids_are_stable_and_events_move_after_a_reschedule(client: Client, enrollment: Enrollment) -> None:
    before = events_by_uid(fetch(client, enrollment))
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    after = events_by_uid(fetch(client, enrollment))
    assert before.keys() == after.keys()
    session = Session.objects.get(day__plan=enrollment.plan, day__number=1, slot=Session.Slot.MORNING)
    uid = f"enrollment-{enrollment.pk}-session-{session.pk}@127.0.0.1"
    assert before[uid] == datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert after[uid] == datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.usefixtures("on_saturday")
def test_a_paused_plan_leaves_out_the_days_not_reached(client: Client, enrollment: Enrollment) -> None:
    rescheduling.pause(enrollment, date(2026, 3, 4))
    cal = fetch(client, enrollment)
    assert len(cal.walk("VEVENT")) == 4  # days 1 and 2, two sessions each
    rescheduling.resume(enrollment, SAT)
    assert len(fetch(client, enrollment).walk("VEVENT")) == 20


def test_lines_are_folded_per_rfc_5545(client: Client, enrollment: Enrollment) -> None:
    # A long Chinese topic: 3 bytes a character, far past the 75-octet limit.
    Session.objects.filter(day__plan=enrollment.plan, day__number=1).update(topic="多模态大模型基础与视觉编码器" * 6)
    raw = client.get(feed_url(enrollment)).content
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # continuation lines exist
    assert raw.endswith(b"\r\n")
    summary = str(Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"])
    assert "多模态大模型基础与视觉编码器" * 6 in summary  # unfolds back whole, no split character


def test_feed_asks_calendars_to_refresh_often(client: Client, enrollment: Enrollment) -> None:
    raw = client.get(feed_url(enrollment)).content
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in raw


def test_feed_headers(client: Client, enrollment: Enrollment) -> None:
    response = client.get(feed_url(enrollment))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]


def test_calendar_apps_may_send_head(client: Client, enrollment: Enrollment) -> None:
    assert client.head(feed_url(enrollment)).status_code == 200
    assert client.post(feed_url(enrollment)).status_code == 405


def test_a_wrong_token_is_404(client: Client, enrollment: Enrollment) -> None:
    token = enrollment.calendar_token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("progress:calendar_feed", args=[wrong])).status_code == 404
    assert client.get(reverse("progress:calendar_feed", args=["x" * 200])).status_code == 404


def test_it_answers_404_for_a_feed_token_with_a_nul_character(enrollment: Enrollment) -> None:
    anonymous = Client(raise_request_exception=False)

    response = anonymous.get("/calendar/%00" + enrollment.calendar_token[1:] + ".ics")

    assert response.status_code == 404


def test_it_answers_404_for_a_feed_token_with_characters_no_token_has(enrollment: Enrollment) -> None:
    anonymous = Client(raise_request_exception=False)

    assert anonymous.get("/calendar/" + enrollment.calendar_token[:-1] + "%C3%A9.ics").status_code == 404
    # The genuine token still works.
    assert anonymous.get(f"/calendar/{enrollment.calendar_token}.ics").status_code == 200


def test_resetting_the_token_kills_the_old_url(client: Client, alice: User, enrollment: Enrollment) -> None:
    old_url = feed_url(enrollment)
    client.force_login(alice)
    response = client.post(reverse("progress:calendar_token_reset"))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert feed_url(enrollment) != old_url
    assert len(enrollment.calendar_token) >= 32  # 192 bits, url-safe base64
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(enrollment)).status_code == 200


def test_reset_with_htmx_returns_the_panel_with_the_new_link(
    client: Client, alice: User, enrollment: Enrollment
) -> None:
    client.force_login(alice)
    response = client.post(reverse("progress:calendar_token_reset"), headers={"HX-Request": "true"})
    enrollment.refresh_from_db()
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="calendar-feed"')
    assert enrollment.calendar_token in body


def test_reset_needs_login(client: Client, enrollment: Enrollment) -> None:
    token = enrollment.calendar_token
    assert client.post(reverse("progress:calendar_token_reset")).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.calendar_token == token


def test_the_feed_holds_only_that_learners_plan(client: Client, enrollment: Enrollment, bob: User) -> None:
    bobs = Enrollment.objects.create(user=bob, plan=make_plan(slug="other", days=3), start_date=MON)
    Session.objects.filter(day__plan=bobs.plan).update(topic="Bob's secret topic")
    cal = fetch(client, enrollment)
    assert all(str(e["UID"]).startswith(f"enrollment-{enrollment.pk}-") for e in cal.walk("VEVENT"))
    assert b"Bob's secret" not in cal.to_ical()
    assert len(fetch(client, bobs).walk("VEVENT")) == 6


def test_the_feed_makes_the_same_queries_for_10_and_120_days(client: Client, alice: User, bob: User) -> None:
    short = Enrollment.objects.create(user=alice, plan=make_plan(slug="short", days=10), start_date=MON)
    long = Enrollment.objects.create(user=bob, plan=make_plan(slug="long", days=120), start_date=MON)
    for e in (short, long):
        ScheduleChange.objects.create(enrollment=e, kind="shift", from_day=3, on_date=date(2026, 3, 10))
    counts = []
    for e in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(feed_url(e)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 9  # a cold plan structure included (progress.structure builds it in 6)


@pytest.mark.parametrize("target", OFFSITE)
def test_the_calendar_token_reset_never_redirects_off_site(
    alice_client: Client, enrollment: Enrollment, target: str
) -> None:
    in_query = alice_client.post(f"/settings/calendar-token/?next={target}")
    in_form = alice_client.post("/settings/calendar-token/", {"next": target})

    assert in_query["Location"] == "/settings/"
    assert in_form["Location"] == "/settings/"


def test_the_settings_page_offers_the_feed_in_one_click(
    client: Client, alice: User, enrollment: Enrollment, settings: object
) -> None:
    settings.SITE_URL = "https://plan.example.org"  # type: ignore[attr-defined]
    client.force_login(alice)

    html = client.get("/settings/").content.decode()

    token = enrollment.calendar_token
    assert f'value="https://plan.example.org/calendar/{token}.ics"' in html
    assert f'href="webcal://plan.example.org/calendar/{token}.ics"' in html
    assert (
        f'href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fplan.example.org%2Fcalendar%2F{token}.ics"'
        in html
    )
    assert 'data-copy="calendar-feed-url"' in html and "js/copy.js" in html
