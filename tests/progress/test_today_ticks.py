"""A tick on Today answers with Today's counters: the overdue heading, the figures, the header, today's day
counter; never a counter that only the task's day page has (an out-of-band swap without a target)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment
from tests.progress.helpers import START, tasks_of

pytestmark = pytest.mark.usefixtures("english_ui")

TODAY = START + timedelta(days=2)  # Wednesday: day 3; days 1 and 2 (8 tasks) are overdue


def oob_ids(html: str) -> list[str]:
    return re.findall(r"<[a-z0-9]+[^>]* id=\"([^\"]+)\"[^>]*hx-swap-oob=\"true\"", html)


def test_today_marks_its_boxes_so_the_tick_answers_for_today(alice_client: Client, enrollment, on_local_date) -> None:
    on_local_date(TODAY)
    html = alice_client.get("/").content.decode()
    assert html.count('name="counters" value="today"') == 4 + 5  # today's 4 tasks, the 5 overdue shown
    assert "8 tasks overdue" in html
    day = alice_client.get("/days/1/").content.decode()
    assert 'name="counters"' not in day


def test_ticking_an_overdue_task_updates_todays_counters(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date
) -> None:
    on_local_date(TODAY)
    task = tasks_of(plan, 1)[0]
    response = alice_client.post(
        f"/days/1/tasks/{task.pk}/toggle/", {"done": "1", "counters": "today"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    ids = oob_ids(html)
    # Every target is on Today; the day-1 counter is not (it belongs to the day page).
    today_page = alice_client.get("/").content.decode()
    assert ids and all(f'id="{i}"' in today_page for i in ids), ids
    assert "day-1-counter" not in html
    assert set(ids) == {"overall-counter", "summary-figures", "overdue-title", "schedule-notices"}
    assert "7 tasks overdue" in html and "1 of 40 tasks done" in html
    assert "You are 2 days behind." in html  # day 1 still has open tasks

    # The rest of day 1 and day 2: the heading says so, and the behind notice goes.
    for n in (1, 2):
        for t in tasks_of(plan, n)[1 if n == 1 else 0 : -1 if n == 2 else None]:
            alice_client.post(
                f"/days/{n}/tasks/{t.pk}/toggle/", {"done": "1", "counters": "today"}, headers={"HX-Request": "true"}
            )
    final = alice_client.post(
        f"/days/2/tasks/{tasks_of(plan, 2)[-1].pk}/toggle/",
        {"done": "1", "counters": "today"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "No overdue tasks left" in final and 'id="behind-notice"' not in final
    assert re.search(r'<div id="schedule-notices" hx-swap-oob="true">\s*</div>', final)


def test_ticking_todays_own_task_updates_its_counter_not_the_overdue_heading(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date
) -> None:
    on_local_date(TODAY)
    task = tasks_of(plan, 3)[0]
    html = alice_client.post(
        f"/days/3/tasks/{task.pk}/toggle/", {"done": "1", "counters": "today"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert set(oob_ids(html)) == {"overall-counter", "summary-figures", "day-3-counter", "schedule-notices"}
    assert "1 of 4 tasks of this day done" in html


def test_a_tick_on_the_day_page_still_answers_with_that_days_counter(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date
) -> None:
    on_local_date(TODAY)
    task = tasks_of(plan, 1)[0]
    html = alice_client.post(
        f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert set(oob_ids(html)) == {"overall-counter", "day-1-counter"}
