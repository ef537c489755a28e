"""The curriculum lists in the admin: structure at a glance, search, and filters that show nothing (never an
error) for a value that is not an id."""

from __future__ import annotations

import pytest
from django.test.client import Client

from curriculum.models import Phase, Plan, Week
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


def test_day_list_shows_structure_at_a_glance(ines: Client, plan: Plan) -> None:
    content = ines.get(f"/admin/curriculum/day/?plan={plan.pk}").content.decode()
    assert "上午：Topic 7m / 下午：Topic 7a" in content
    assert "2. Week 2" in content


def test_task_search_finds_text(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/task/", {"q": "Task 2 of Topic 7a"})
    assert [t.text for t in response.context["cl"].result_list] == ["Task 2 of Topic 7a"]


def test_day_search_finds_days_by_task_text(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/day/", {"q": "Task 1 of Topic 4m"})
    assert [d.number for d in response.context["cl"].result_list] == [4]


def test_day_list_filters_by_plan_phase_and_week(ines: Client, plan: Plan) -> None:
    other = make_plan(slug="other", days=30)
    week = Week.objects.get(plan=other, number=5)
    phase2 = Phase.objects.get(plan=other, number=2)

    def numbers(**params: int) -> list[tuple[str, int]]:
        result = ines.get("/admin/curriculum/day/", params).context["cl"].result_list
        return [(d.plan.slug, d.number) for d in result]

    assert len(numbers(plan=plan.pk)) == 10
    assert numbers(plan=other.pk, week=week.pk) == [("other", n) for n in range(21, 26)]
    assert numbers(phase=phase2.pk) == [("other", n) for n in range(21, 31)]


def test_task_list_filters_by_week(ines: Client, plan: Plan) -> None:
    week = Week.objects.get(plan=plan, number=2)
    result = ines.get("/admin/curriculum/task/", {"week": week.pk}).context["cl"].result_list
    assert {t.session.day.number for t in result} == set(range(6, 11))


def test_week_filter_narrows_to_the_chosen_plan(ines: Client, plan: Plan) -> None:
    make_plan(slug="other", days=30)
    response = ines.get("/admin/curriculum/day/", {"plan": plan.pk})
    week_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "week")
    assert [label for _value, label in week_filter.lookup_choices] == ["1. Week 1", "2. Week 2"]


def test_a_bad_filter_value_shows_nothing_and_no_error(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/day/", {"week": "abc"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


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
