"""The calendar feed covers a window (the last CALENDAR_FEED_DAYS_BEHIND and the next CALENDAR_FEED_DAYS_AHEAD
days), so a very long plan gives a feed of bounded size; and plan texts reach it without control characters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from curriculum.models import Plan, Session, Task
from progress.models import Enrollment
from tests.factories import make_plan

MON = date(2026, 3, 2)


def feed(client: Client, enrollment: Enrollment) -> bytes:
    response = client.get(reverse("progress:calendar_feed", args=[enrollment.calendar_token]))
    assert response.status_code == 200
    return response.content


def event_dates(raw: bytes) -> list[date]:
    return [e.decoded("DTSTART").date() for e in Calendar.from_ical(raw).walk("VEVENT")]


def test_the_feed_covers_the_last_14_and_the_next_90_days(
    client: Client, alice: User, on_local_date: Callable[..., None]
) -> None:
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=200), start_date=MON)
    today = MON + timedelta(days=70)
    on_local_date(today)
    dates = event_dates(feed(client, enrollment))
    assert min(dates) == MON + timedelta(days=56)  # the first study day on or after today - 14 (a Monday)
    assert max(dates) <= today + timedelta(days=90) < max(dates) + timedelta(days=7)
    assert len(dates) == 2 * len(set(dates))  # whole days: both sessions of each


def test_the_window_is_configurable(client: Client, alice: User, on_local_date, settings) -> None:
    settings.CALENDAR_FEED_DAYS_BEHIND, settings.CALENDAR_FEED_DAYS_AHEAD = 0, 6
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=50), start_date=MON)
    on_local_date(MON + timedelta(days=7))
    assert sorted(set(event_dates(feed(client, enrollment)))) == [MON + timedelta(days=7 + i) for i in range(5)]


def test_a_3000_day_plan_gives_a_bounded_feed_in_the_same_queries(
    client: Client, alice: User, bob: User, on_local_date
) -> None:
    on_local_date(MON + timedelta(days=400))
    short = Enrollment.objects.create(user=alice, plan=make_plan(slug="short", days=600), start_date=MON)
    huge = Enrollment.objects.create(user=bob, plan=make_plan(slug="huge", days=3000), start_date=MON)
    counts, sizes = [], []
    for enrollment in (short, huge):
        with CaptureQueriesContext(connection) as ctx:
            raw = feed(client, enrollment)
        counts.append(len(ctx.captured_queries))
        sizes.append(len(raw))
    # 105 days of window hold at most 75 study days (5 a week): 150 events, whatever the plan's length.
    assert len(Calendar.from_ical(raw).walk("VEVENT")) <= 150
    assert counts[0] == counts[1]
    assert abs(sizes[0] - sizes[1]) < sizes[0] // 10


def test_the_feed_strips_control_characters_stored_before_the_rule(client: Client, alice: User, on_local_date) -> None:
    on_local_date(date(2026, 3, 3))
    plan = make_plan(days=2)
    Session.objects.filter(day__plan=plan).update(topic="Top\x0cic\u2028one")
    Task.objects.filter(session__day__plan=plan).update(text="Do\x1b[31m it\x85")
    Plan.objects.filter(pk=plan.pk).update(title="Pl\x0ban")
    enrollment = Enrollment.objects.create(user=alice, plan=plan, start_date=MON)
    body = feed(client, enrollment).decode()
    assert not any(c in body for c in ["\x0b", "\x0c", "\x1b", "\x85", "\u2028"])
    assert "Topicone" in body and "Do[31m it" in body and "X-WR-CALNAME:Plan" in body
