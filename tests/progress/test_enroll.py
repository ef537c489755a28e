"""Enrolling in a plan: the form's defaults, what it stores, what it refuses, and two submits at once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from curriculum.models import Plan
from progress.models import WEEKDAYS_MON_FRI, Enrollment, LearnerProfile
from tests.concurrency import run_at_once
from tests.factories import make_plan
from tests.progress.helpers import logged_in

# 20:00 UTC on Sunday 1 March is already Monday 2 March in Shanghai.
NOW = "2026-03-01T20:00:00Z"
SHANGHAI_TODAY = date(2026, 3, 2)


@pytest.fixture
def plan(db: None) -> Plan:
    return make_plan(days=5)


def enroll_data(plan: Plan, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "plan": plan.pk,
        "start_date": "2026-03-02",
        "weekdays": ["0", "1", "2", "3", "4"],
        "time_zone": "Asia/Shanghai",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_enroll_form_defaults_to_today_in_shanghai_and_mon_fri(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    response = client.get("/enroll/")

    assert response.status_code == 200
    form = response.context["form"]
    assert form["start_date"].value() == SHANGHAI_TODAY
    assert form["weekdays"].value() == ["0", "1", "2", "3", "4"]
    assert form["time_zone"].value() == "Asia/Shanghai"
    body = response.content.decode()
    assert 'value="2026-03-02"' in body
    assert body.count("<h1") == 1


@time_machine.travel(NOW, tick=False)
def test_it_enrolls_and_makes_the_enrollment_active(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    response = client.post("/enroll/", enroll_data(plan, weekdays=["0", "2", "5"], time_zone="Europe/Berlin"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    enrollment = Enrollment.objects.get(user=alice)
    assert enrollment.plan == plan
    assert enrollment.start_date == SHANGHAI_TODAY
    assert enrollment.study_weekdays == 0b0100101
    assert enrollment.weekdays == frozenset({0, 2, 5})
    assert enrollment.time_zone == "Europe/Berlin"
    assert LearnerProfile.objects.get(user=alice).active_enrollment == enrollment


@time_machine.travel(NOW, tick=False)
def test_default_weekdays_are_stored_as_the_monday_to_friday_mask(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    client.post("/enroll/", enroll_data(plan))

    assert Enrollment.objects.get(user=alice).study_weekdays == WEEKDAYS_MON_FRI


@time_machine.travel(NOW, tick=False)
def test_enrolling_needs_at_least_one_weekday(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)
    data = enroll_data(plan)
    del data["weekdays"]

    response = client.post("/enroll/", data)

    assert response.status_code == 200
    assert response.context["form"].errors["weekdays"] == ["请至少选择一个学习日。"]
    assert not Enrollment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_enrolling_refuses_a_weekday_that_does_not_exist(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    response = client.post("/enroll/", enroll_data(plan, weekdays=["0", "7"]))

    assert response.status_code == 200
    assert "weekdays" in response.context["form"].errors
    assert not Enrollment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_enrolling_twice_in_a_plan_is_refused_with_a_message(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)
    client.post("/enroll/", enroll_data(plan))

    response = client.post("/enroll/", enroll_data(plan, start_date="2026-03-09"))

    assert response.status_code == 200
    assert "你已经报名了“Plan test-plan”" in response.context["form"].errors["plan"][0]
    assert Enrollment.objects.filter(user=alice).count() == 1
    assert Enrollment.objects.get(user=alice).start_date == SHANGHAI_TODAY


@time_machine.travel(NOW, tick=False)
def test_a_future_start_date_is_allowed(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    client.post("/enroll/", enroll_data(plan, start_date="2026-06-01"))

    assert Enrollment.objects.get(user=alice).start_date == date(2026, 6, 1)


@time_machine.travel(NOW, tick=False)
def test_a_start_date_in_the_recent_past_is_allowed(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    client.post("/enroll/", enroll_data(plan, start_date="2026-02-02"))

    assert Enrollment.objects.get(user=alice).start_date == date(2026, 2, 2)


@pytest.mark.parametrize("start", [SHANGHAI_TODAY - timedelta(days=367), SHANGHAI_TODAY + timedelta(days=367)])
@time_machine.travel(NOW, tick=False)
def test_a_start_date_more_than_a_year_away_is_refused(client: Client, alice: User, plan: Plan, start: date) -> None:
    client.force_login(alice)

    response = client.post("/enroll/", enroll_data(plan, start_date=start.isoformat()))

    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors
    assert not Enrollment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_an_unpublished_plan_cannot_be_chosen(client: Client, alice: User, plan: Plan) -> None:
    hidden = make_plan(slug="draft", days=2)
    hidden.published = False
    hidden.save()
    client.force_login(alice)

    page = client.get("/enroll/")
    response = client.post("/enroll/", enroll_data(hidden))

    assert "Plan draft" not in page.content.decode()
    assert "plan" in response.context["form"].errors
    assert not Enrollment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_bad_dates_and_time_zones_are_form_errors_not_crashes(client: Client, alice: User, plan: Plan) -> None:
    client.force_login(alice)

    response = client.post("/enroll/", enroll_data(plan, start_date="2026-02-30", time_zone="Mars/Olympus"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start_date", "time_zone"}
    assert not Enrollment.objects.exists()


def test_the_enroll_page_says_so_when_no_plan_is_published(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get("/enroll/")

    assert response.status_code == 200
    assert "目前还没有开放报名的计划" in response.content.decode()


def test_the_form_preselects_a_plan_the_learner_is_not_in_yet(client: Client, alice: User) -> None:
    first = make_plan(slug="a-first", days=1)
    second = make_plan(slug="b-second", days=1)
    Enrollment.objects.create(user=alice, plan=first, start_date=SHANGHAI_TODAY)
    client.force_login(alice)

    response = client.get("/enroll/")

    assert response.context["form"]["plan"].value() == second.pk


@pytest.mark.parametrize("plans", [1, 6])
def test_the_enroll_page_makes_a_fixed_number_of_queries(
    client: Client, alice: User, django_assert_num_queries: Any, plans: int
) -> None:
    for i in range(plans):
        make_plan(slug=f"p{i}", days=300 if i == 0 else 1)
    client.force_login(alice)

    # the session with the user and their enrollments (nav), the plans on offer (choices and preselection at once)
    with django_assert_num_queries(2):
        assert client.get("/enroll/").status_code == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_enroll_posts_at_once_leave_one_enrollment_and_no_error(postgres: None, alice: User) -> None:
    plan = make_plan(slug="race", days=2)
    data = enroll_data(plan, start_date=date.today().isoformat())
    clients = [logged_in(alice) for _ in range(4)]

    statuses = run_at_once(*(lambda c=c: c.post("/enroll/", data).status_code for c in clients))

    # One redirect to Today; the others get the form back with the "already enrolled" message, never a 500.
    assert sorted(statuses) == [200, 200, 200, 302]
    assert Enrollment.objects.filter(user=alice, plan=plan).count() == 1


# --- hostile input: a form error, never a 500, and no enrollment ---------------------------------------------


@pytest.mark.parametrize("plan_id", ["1\x00", "\x00", "abc", "9" * 30, "-1", "1.5", ""])
@time_machine.travel(NOW, tick=False)
def test_enrolling_with_a_garbage_plan_id_is_a_form_error(bob: User, plan: Plan, plan_id: str) -> None:
    client = logged_in(bob, raise_request_exception=False)

    response = client.post("/enroll/", {**enroll_data(plan), "plan": plan_id})

    assert response.status_code == 200
    assert not Enrollment.objects.filter(user=bob).exists()


@time_machine.travel(NOW, tick=False)
def test_enrolling_in_an_unpublished_plan_is_refused(bob: User) -> None:
    make_plan("open", days=2)  # so the page shows the form (with no plan open it says so instead)
    hidden = make_plan("hidden", days=2)
    Plan.objects.filter(pk=hidden.pk).update(published=False)
    client = logged_in(bob, raise_request_exception=False)

    response = client.post("/enroll/", enroll_data(hidden))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "选择一个有效的选项" in response.content.decode()
    assert not Enrollment.objects.filter(user=bob).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Asia"),
        ("time_zone", "Asia/Shanghai\x00"),
        ("time_zone", "localtime"),
        ("start_date", "2026-02-30"),
        ("start_date", "\x00"),
        ("weekdays", ["\x00"]),
        ("weekdays", ["7"]),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_enrolling_with_a_bad_field_changes_nothing(bob: User, plan: Plan, field: str, value: object) -> None:
    client = logged_in(bob, raise_request_exception=False)

    response = client.post("/enroll/", enroll_data(plan, **{field: value}))

    assert response.status_code == 200
    assert not Enrollment.objects.filter(user=bob).exists()


@time_machine.travel(NOW, tick=False)
def test_enrolling_needs_the_csrf_token(bob: User, plan: Plan) -> None:
    client = logged_in(bob, enforce_csrf_checks=True)

    assert client.post("/enroll/", enroll_data(plan)).status_code == 403
    assert not Enrollment.objects.filter(user=bob).exists()


@time_machine.travel(NOW, tick=False)
def test_it_refuses_to_enroll_with_a_start_date_near_date_max(alice: User) -> None:
    # Laying a plan out from 9999-12-01 would run past date.max; the form's window is the bound.
    LearnerProfile.objects.create(user=alice, language="en")
    client = logged_in(alice, raise_request_exception=False)
    make_plan(slug="other", days=3)
    form = {"plan": str(Plan.objects.get(slug="other").pk), "start_date": "9999-12-01", "weekdays": ["6"]}

    response = client.post(reverse("progress:enroll"), {**form, "time_zone": "UTC"})

    assert response.status_code == 200
    assert "Choose a start date within a year of today" in response.content.decode()
    assert not Enrollment.objects.filter(plan__slug="other").exists()
