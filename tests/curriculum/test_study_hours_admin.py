"""Instructors set a plan's study hours per day in the admin (3-4 by default); a range upside down is refused."""

from __future__ import annotations

import pytest
from django.test.client import Client

from curriculum.models import Plan
from tests.curriculum.formdata import page_data

pytestmark = pytest.mark.django_db

PLAN_URL = "/admin/curriculum/plan/{}/change/"


def test_a_new_plan_expects_three_to_four_hours(plan: Plan) -> None:
    assert (plan.study_hours_min, plan.study_hours_max) == (3, 4)


def test_instructors_edit_the_hours_and_the_plan_gets_a_new_version(ines: Client, plan: Plan) -> None:
    version = plan.version
    data = page_data(ines, PLAN_URL.format(plan.pk))
    assert (data["study_hours_min"], data["study_hours_max"]) == ("3", "4")
    data.update(study_hours_min="2", study_hours_max="5")
    assert ines.post(PLAN_URL.format(plan.pk), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.study_hours_min, plan.study_hours_max) == (2, 5) and plan.version != version


@pytest.mark.parametrize(
    ("low", "high", "field"),
    [
        ("5", "4", "study_hours_max"),
        ("0", "4", "study_hours_min"),
        ("3", "25", "study_hours_max"),
        ("x", "4", "study_hours_min"),
    ],
)
def test_bad_hours_are_refused_and_change_nothing(ines: Client, plan: Plan, low: str, high: str, field: str) -> None:
    data = page_data(ines, PLAN_URL.format(plan.pk))
    data.update(study_hours_min=low, study_hours_max=high)
    response = ines.post(PLAN_URL.format(plan.pk), data)
    assert response.status_code == 200 and set(response.context["adminform"].form.errors) == {field}
    if low == "5":  # the admin is in Chinese for this instructor
        assert "不能少于起始小时数。" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.study_hours_min, plan.study_hours_max) == (3, 4)
