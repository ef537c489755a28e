"""The curriculum admin's pages and saves make the same number of queries for a small and a large plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Plan, Task
from tests.curriculum.formdata import page_data, set_row
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

DAY_URL = "/admin/curriculum/day/{}/change/"
PLAN_URL = "/admin/curriculum/plan/{}/change/"


def tasks_of(day: Day) -> list[Task]:
    return list(Task.objects.filter(session__day=day).order_by("session__position", "position"))


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
    "task page": lambda p: f"/admin/curriculum/task/{_last_task(p).pk}/change/",
    "task add": lambda p: "/admin/curriculum/task/add/",
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


def test_day_page_save_query_count_does_not_grow_with_the_plan(ines: Client) -> None:
    counts = []
    for slug, days in (("small", 10), ("big", 120)):
        plan = make_plan(slug=slug, days=days)
        day = plan.days.order_by("number").last()
        assert day is not None
        data = page_data(ines, DAY_URL.format(day.pk))
        set_row(data, "task_rows", tasks_of(day)[0].pk, text=f"edited in {slug}")
        with CaptureQueriesContext(connection) as ctx:
            assert ines.post(DAY_URL.format(day.pk), data).status_code == 302
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_day_page_query_count_does_not_grow_with_the_days_tasks(ines: Client) -> None:
    # Each task row has a session select: it must be loaded once for the inline, not once per row.
    counts = []
    for slug, tasks in (("two", 2), ("seven", 7)):
        day = Day.objects.get(plan=make_plan(slug=slug, days=3, tasks=tasks), number=1)
        _queries(ines, DAY_URL.format(day.pk))
        counts.append(_queries(ines, DAY_URL.format(day.pk)))
    assert counts[0] == counts[1]
