"""The curriculum admin's pages and saves make the same number of queries for a small and a large plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan, Session, Task
from tests.curriculum.formdata import page_data, set_row
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

DAY_URL = "/admin/curriculum/day/{}/change/"
PLAN_URL = "/admin/curriculum/plan/{}/change/"
SESSION_URL = "/admin/curriculum/session/{}/change/"
SECTION_URL = "/admin/curriculum/resourcesection/{}/change/"
TASK_URL = "/admin/curriculum/task/{}/change/"


def morning_of(plan: Plan, number: int = 1) -> Session:
    return Session.objects.get(day__plan=plan, day__number=number, position=1)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _last_task(plan: Plan) -> Task:
    task = Task.objects.filter(session__day__plan=plan).last()
    assert task is not None
    return task


URLS: dict[str, Callable[[Plan], str]] = {
    "plan list": lambda p: "/admin/curriculum/plan/",
    "plan page": lambda p: PLAN_URL.format(p.pk),
    "day list": lambda p: f"/admin/curriculum/day/?plan={p.pk}",
    "day list, all plans": lambda p: "/admin/curriculum/day/",
    "day list with counts": lambda p: f"/admin/curriculum/day/?plan={p.pk}&_facets=True",
    "day search": lambda p: "/admin/curriculum/day/?q=Task",
    "day page": lambda p: DAY_URL.format(p.days.order_by("number").last().pk),  # type: ignore[union-attr]
    "day add": lambda p: "/admin/curriculum/day/add/",
    "task list": lambda p: f"/admin/curriculum/task/?plan={p.pk}",
    "task search": lambda p: "/admin/curriculum/task/?q=Topic",
    "task list with counts": lambda p: "/admin/curriculum/task/?_facets=True",
    "task page": lambda p: TASK_URL.format(_last_task(p).pk),
    "task add": lambda p: "/admin/curriculum/task/add/",
    "session page": lambda p: SESSION_URL.format(_last_task(p).session_id),
    "session list": lambda p: f"/admin/curriculum/session/?plan={p.pk}",
    "resource section page": lambda p: SECTION_URL.format(p.resource_sections.get().pk),
}


@pytest.mark.parametrize("page", list(URLS))
def test_admin_page_query_count_does_not_grow_with_the_plan(ines: Client, page: str) -> None:
    small = make_plan(slug="small", days=10)
    url = URLS[page]
    _queries(ines, url(small))  # warm the per-process caches (content types, sessions)
    n_small = _queries(ines, url(small))
    big = make_plan(slug="big", days=120)
    n_big = _queries(ines, url(big))
    assert n_big == n_small


@pytest.mark.parametrize("page", ["day", "session"])
def test_a_save_query_count_does_not_grow_with_the_plan(ines: Client, page: str) -> None:
    counts = []
    for slug, days in (("small", 10), ("big", 120)):
        morning = morning_of(make_plan(slug=slug, days=days), days)
        if page == "day":
            url, prefix, row = DAY_URL.format(morning.day_id), "sessions", morning.pk
        else:
            url, prefix, row = SESSION_URL.format(morning.pk), "tasks", morning.tasks.get(position=1).pk
        data = page_data(ines, url)
        set_row(data, prefix, row, **{"topic" if page == "day" else "text": f"edited in {slug}"})
        with CaptureQueriesContext(connection) as ctx:
            assert ines.post(url, data).status_code == 302
        counts.append(len(ctx))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("page", [DAY_URL, SESSION_URL])
def test_page_query_count_does_not_grow_with_the_sessions_tasks(ines: Client, page: str) -> None:
    # The day page lists each session's tasks: one prefetch for the inline, not one query per row.
    counts = []
    for slug, tasks in (("two", 2), ("seven", 7)):
        morning = morning_of(make_plan(slug=slug, days=3, tasks=tasks))
        url = page.format(morning.day_id if page == DAY_URL else morning.pk)
        _queries(ines, url)
        counts.append(_queries(ines, url))
    assert counts[0] == counts[1]
