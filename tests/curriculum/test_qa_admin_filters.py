"""Hostile admin input found by QA: bad ids show nothing, garbled forms are form errors, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Day, Session, Task
from tests.curriculum.formdata import page_data
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def ines(instructor: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(instructor)
    return client


@pytest.mark.parametrize("model", ["day", "task"])
@pytest.mark.parametrize(
    "query",
    [
        "plan=²",  # a digit to str.isdigit(), not to int()
        "phase=²",
        "week=³",
        "plan=1&phase=²",
        "plan=99999999999999999999999",  # past a 64-bit integer: SQLite overflowed
    ],
)
def test_it_lists_nothing_for_an_id_that_is_not_a_number(ines: Client, model: str, query: str) -> None:
    make_plan(days=2)

    response = ines.get(f"/admin/curriculum/{model}/?{query}")

    assert response.status_code == 200
    assert "Topic 1m" not in response.content.decode()


def test_a_genuine_plan_filter_still_lists_its_days(ines: Client) -> None:
    plan = make_plan(days=2)

    response = ines.get(f"/admin/curriculum/day/?plan={plan.pk}")

    assert response.status_code == 200
    assert "Topic 1m" in response.content.decode()


def test_a_day_page_with_a_garbled_inline_count_is_refused_not_a_500(ines: Client) -> None:
    plan = make_plan(days=1)
    day = Day.objects.get(plan=plan, number=1)
    url = f"/admin/curriculum/day/{day.pk}/change/"
    data = page_data(ines, url)
    data["sessions-TOTAL_FORMS"] = "²"  # a digit to str.isdigit(), not to int()

    response = ines.post(url, data)

    assert response.status_code == 200  # the form again, with the management form's error
    assert Session.objects.filter(day=day).count() == 2


def test_a_task_text_with_a_line_break_is_refused_so_the_plan_still_exports(ines: Client) -> None:
    # Saved, it would export as a new day heading: a document that no longer imports.
    plan = make_plan(days=1)
    task = Task.objects.filter(session__day__plan=plan).first()
    assert task is not None
    url = f"/admin/curriculum/task/{task.pk}/change/"
    data = page_data(ines, url)
    data["text"] = "Task one\n#### 第9天"

    response = ines.post(url, data)

    assert response.status_code == 200
    assert "请写在一行内" in response.content.decode()  # "Keep this on one line", in the default language
    task.refresh_from_db()
    assert "\n" not in task.text


def test_a_session_topic_with_a_line_break_is_refused_on_the_day_page(ines: Client) -> None:
    plan = make_plan(days=1)
    day = Day.objects.get(plan=plan, number=1)
    url = f"/admin/curriculum/day/{day.pk}/change/"
    data = page_data(ines, url)
    data["sessions-0-topic"] = "Topic\r\n- **下午**：Injected"

    response = ines.post(url, data)

    assert response.status_code == 200
    assert "请写在一行内" in response.content.decode()  # "Keep this on one line", in the default language
    assert list(Session.objects.filter(day=day).values_list("topic", flat=True)) == ["Topic 1m", "Topic 1a"]


def test_the_plan_overview_may_span_lines(ines: Client) -> None:
    plan = make_plan(days=1)
    url = f"/admin/curriculum/plan/{plan.pk}/change/"
    data = page_data(ines, url)
    data["summary"] = "First line.\nSecond line."

    response = ines.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.summary == "First line.\nSecond line."
