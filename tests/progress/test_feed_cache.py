"""The cached calendar feed never outlives what it shows: each way the plan or the learner's schedule, hours,
zone or language changes gives a new feed at once, and an unchanged feed is the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Day, Session
from progress import rescheduling
from progress.models import DayOff, Enrollment, LearnerProfile, ScheduleChange
from tests.factories import make_plan

MON = date(2026, 3, 2)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_saturday")]


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=make_plan(days=10), start_date=MON, time_zone="Asia/Shanghai")


def feed(client: Client, enrollment: Enrollment) -> bytes:
    response = client.get(reverse("progress:calendar_feed", args=[enrollment.calendar_token]))
    assert response.status_code == 200
    return response.content


def reworded_topic(e: Enrollment) -> None:
    session = Session.objects.filter(day__plan=e.plan).order_by("day__number", "position").first()
    assert session is not None
    session.topic = "A freshly reworded topic"
    session.save()  # the admin's way: the plan gets a new version


def deleted_day(e: Enrollment) -> None:
    Day.objects.filter(plan=e.plan, number=2).delete()


def later_hours(e: Enrollment) -> None:
    e.morning_start = time(6, 30)
    e.save()


def other_zone(e: Enrollment) -> None:
    Enrollment.objects.filter(pk=e.pk).update(time_zone="Europe/Berlin")


def later_start(e: Enrollment) -> None:
    Enrollment.objects.filter(pk=e.pk).update(start_date=MON + timedelta(days=1))


def weekends_too(e: Enrollment) -> None:
    Enrollment.objects.filter(pk=e.pk).update(study_weekdays=0b1111111)


def day_off(e: Enrollment) -> None:
    DayOff.objects.create(enrollment=e, start_date=MON + timedelta(days=9), end_date=MON + timedelta(days=9))


def shift(e: Enrollment) -> None:
    ScheduleChange.objects.create(enrollment=e, kind="shift", from_day=3, on_date=MON + timedelta(days=14))


def pause(e: Enrollment) -> None:
    rescheduling.pause(e, MON + timedelta(days=5))


def english(e: Enrollment) -> None:
    LearnerProfile.objects.update_or_create(user=e.user, defaults={"language": "en"})


def chinese(e: Enrollment) -> None:
    LearnerProfile.objects.update_or_create(user=e.user, defaults={"language": "zh-hans"})


CHANGES = [reworded_topic, deleted_day, later_hours, other_zone, later_start, weekends_too, day_off, shift, pause]


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_in_the_feed_at_once(
    client: Client, enrollment: Enrollment, change: Callable[[Enrollment], None]
) -> None:
    before = feed(client, enrollment)
    assert feed(client, enrollment) == before  # served from the cache: the very same bytes, DTSTAMP included
    change(enrollment)
    enrollment.refresh_from_db()
    assert feed(client, enrollment) != before


def test_a_language_change_shows_in_the_feed(client: Client, enrollment: Enrollment) -> None:
    english(enrollment)
    assert b"Day 1" in feed(client, enrollment)
    chinese(enrollment)
    assert b"Day 1" not in feed(client, enrollment)


def test_the_next_day_gets_a_new_feed(client: Client, enrollment: Enrollment, on_local_date) -> None:
    before = feed(client, enrollment)
    on_local_date(date(2026, 3, 8))
    assert feed(client, enrollment) != before


def test_an_import_replace_shows_in_the_feed(client: Client, alice: User, tmp_path, settings) -> None:
    call_command("loaddata", "multimodal_90_days", verbosity=0)
    from curriculum.models import Plan

    reference = Plan.objects.get(slug="multimodal-90-days")
    e = Enrollment.objects.create(user=alice, plan=reference, start_date=MON)
    assert "一个全新的主题".encode() not in feed(client, e)
    source = (settings.BASE_DIR / "curriculum/plans/multimodal-90-days.zh.md").read_text()
    topic = Session.objects.filter(day__plan=reference, day__number=1).order_by("position")[0].topic
    document = tmp_path / "plan.md"
    document.write_text(source.replace(topic, "一个全新的主题", 1))
    call_command("import_plan", str(document), "--slug", "multimodal-90-days", "--replace", verbosity=0)
    assert "一个全新的主题".encode() in feed(client, e)


def test_a_polled_feed_costs_one_query(client: Client, enrollment: Enrollment) -> None:
    """The enrollment with its plan and its learner's language, by token; nothing else once it is cached."""
    english(enrollment)
    first = feed(client, enrollment)
    with CaptureQueriesContext(connection) as ctx:
        assert feed(client, enrollment) == first
    assert len(ctx.captured_queries) == 1


def test_a_learner_without_a_profile_gets_the_default_language(client: Client, enrollment: Enrollment) -> None:
    LearnerProfile.objects.filter(user=enrollment.user).delete()
    assert b"BEGIN:VCALENDAR" in feed(client, enrollment)
