"""Cached page parts and plan structures never outlive what they show.

Each test loads a page (so its body and the plan's structure are cached), changes one thing the way a
learner, an instructor or an import does, and loads the page again: the change must be visible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from curriculum.models import Day, Plan, Task
from progress.models import DayOff, Enrollment, ScheduleChange
from tests.progress.helpers import START, tasks_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

PAGES = ["/", "/days/1/", "/calendar/", "/plan/", "/progress/"]
DAY_2 = 'datetime="2026-03-03"'  # day 2's date on the plan page, before anything moves it


@pytest.fixture(autouse=True)
def on_day_one(on_local_date: Callable[..., None]) -> None:
    on_local_date(START)


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_topic_reworded_in_the_admin_shows_at_once(alice_client: Client, enrollment: Enrollment, url: str) -> None:
    session = tasks_of(enrollment.plan, 1)[0].session
    assert "Freshly reworded" not in html(alice_client, url)
    session.topic = "Freshly reworded topic"
    session.save()
    if url == "/progress/":  # shows weeks, not topics
        session.day.week.title = "Freshly reworded week"
        session.day.week.save()
    if url in ("/", "/days/1/"):
        task = session.tasks.first()
        assert task is not None
        task.text = "Freshly reworded task"
        task.save()
    assert "Freshly reworded" in html(alice_client, url)


TICK_SHOWS = {
    "/": "1 of 4 tasks of this day done",
    "/days/1/": "1 of 4 tasks of this day done",
    "/plan/": "1 of 20 tasks (5%)",
    "/progress/": "(1/40)",
}


@pytest.mark.parametrize("url", TICK_SHOWS)
def test_a_tick_and_an_untick_show_at_once(alice_client: Client, enrollment: Enrollment, url: str) -> None:
    assert TICK_SHOWS[url] not in html(alice_client, url)
    task = tasks_of(enrollment.plan, 1)[0]
    alice_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"})
    assert TICK_SHOWS[url] in html(alice_client, url)
    alice_client.post(f"/days/1/tasks/{task.pk}/toggle/", {})
    assert TICK_SHOWS[url] not in html(alice_client, url)


def test_a_saved_note_shows_on_the_day_page(alice_client: Client, enrollment: Enrollment) -> None:
    html(alice_client, "/days/1/")
    alice_client.post("/days/1/note/", {"body": "A note about **attention**", "version": "0"})
    assert "<strong>attention</strong>" in html(alice_client, "/days/1/")
    alice_client.post("/days/1/note/", {"body": "Rewritten", "version": "1"})
    page = html(alice_client, "/days/1/")
    assert "Rewritten" in page and "attention" not in page


def day_off(e: Enrollment) -> object:
    return DayOff.objects.create(enrollment=e, start_date=START + timedelta(1), end_date=START + timedelta(2))


def shift(e: Enrollment) -> object:
    return ScheduleChange.objects.create(enrollment=e, kind="shift", from_day=2, on_date=START + timedelta(7))


def later_start(e: Enrollment) -> object:
    return Enrollment.objects.filter(pk=e.pk).update(start_date=START + timedelta(days=7))


def sundays_only(e: Enrollment) -> object:
    return Enrollment.objects.filter(pk=e.pk).update(study_weekdays=0b1000000)


@pytest.mark.parametrize("change", [day_off, shift, later_start, sundays_only])
def test_a_schedule_change_moves_the_dates_at_once(
    alice_client: Client, enrollment: Enrollment, change: Callable[[Enrollment], object]
) -> None:
    assert DAY_2 in html(alice_client, "/plan/")
    change(enrollment)
    assert DAY_2 not in html(alice_client, "/plan/")


def test_the_next_day_is_not_served_yesterdays_page(
    alice_client: Client, enrollment: Enrollment, on_local_date: Callable[..., None]
) -> None:
    assert "March 3, 2026" not in html(alice_client, "/")
    on_local_date(START + timedelta(days=1))
    assert "March 3, 2026" in html(alice_client, "/")


def test_another_language_is_not_served_the_cached_one(alice_client: Client, enrollment: Enrollment) -> None:
    assert "Phase 1: Phase 1" in html(alice_client, "/plan/")
    alice_client.post("/language/", {"language": "zh-hans", "next": "/plan/"})
    assert "Phase 1: Phase 1" not in html(alice_client, "/plan/")


def test_a_learner_never_gets_another_learners_cached_page(
    alice_client: Client, enrollment: Enrollment, make_user: Callable, plan: Plan
) -> None:
    bob = make_user("bob")
    Enrollment.objects.create(user=bob, plan=plan, start_date=START + timedelta(days=14))
    assert DAY_2 in html(alice_client, "/plan/")
    bobs_client = Client()
    bobs_client.force_login(bob)
    assert DAY_2 not in html(bobs_client, "/plan/")


def test_an_import_replace_shows_at_once(alice_client: Client, enrollment: Enrollment, tmp_path) -> None:
    call_command("loaddata", "multimodal_90_days", verbosity=0)
    reference = Plan.objects.get(slug="multimodal-90-days")
    Enrollment.objects.filter(pk=enrollment.pk).update(plan=reference)
    assert "一个全新的任务" not in html(alice_client, "/days/1/")
    source = (settings.BASE_DIR / "curriculum/plans/multimodal-90-days.zh.md").read_text()
    first = Task.objects.filter(session__day__plan=reference, session__day__number=1)
    text = first.order_by("session__position", "position")[0].text
    document = tmp_path / "plan.md"
    document.write_text(source.replace(f"  - {text}\n", f"  - {text}\n  - 一个全新的任务\n", 1))
    call_command("import_plan", str(document), "--slug", "multimodal-90-days", "--replace", verbosity=0)
    assert "一个全新的任务" in html(alice_client, "/days/1/")


def test_a_deleted_day_disappears_from_the_plan_page(alice_client: Client, enrollment: Enrollment) -> None:
    assert 'href="/days/10/"' in html(alice_client, "/plan/")
    Day.objects.filter(plan=enrollment.plan, number=10).delete()
    assert 'href="/days/10/"' not in html(alice_client, "/plan/")
