from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan
from progress.models import WEEKDAYS_MON_FRI, Enrollment, LearnerProfile
from tests.factories import make_plan

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


@pytest.fixture
def two_enrollments(alice: User) -> tuple[Enrollment, Enrollment]:
    first = Enrollment.objects.create(user=alice, plan=make_plan(slug="first", days=2), start_date=SHANGHAI_TODAY)
    second = Enrollment.objects.create(user=alice, plan=make_plan(slug="second", days=2), start_date=SHANGHAI_TODAY)
    LearnerProfile.objects.create(user=alice, active_enrollment=first)
    return first, second


def test_it_switches_the_active_enrollment(
    client: Client, alice: User, two_enrollments: tuple[Enrollment, Enrollment]
) -> None:
    _first, second = two_enrollments
    client.force_login(alice)

    response = client.post(f"/enrollments/{second.pk}/activate/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    profile = LearnerProfile.objects.get(user=alice)
    assert profile.active_enrollment == second


def test_the_nav_shows_the_active_plan_and_offers_the_others(
    client: Client, alice: User, two_enrollments: tuple[Enrollment, Enrollment]
) -> None:
    first, second = two_enrollments
    client.force_login(alice)

    body = client.get("/settings/").content.decode()

    assert '<span class="visually-hidden">当前计划： </span>Plan first</summary>' in body
    assert f'action="/enrollments/{second.pk}/activate/"' in body
    assert f'action="/enrollments/{first.pk}/activate/"' not in body


def test_activating_another_learners_enrollment_is_404(
    client: Client, alice: User, bob: User, two_enrollments: tuple[Enrollment, Enrollment]
) -> None:
    first, _second = two_enrollments
    bobs = Enrollment.objects.create(user=bob, plan=first.plan, start_date=SHANGHAI_TODAY)
    client.force_login(alice)

    response = client.post(f"/enrollments/{bobs.pk}/activate/")

    assert response.status_code == 404
    assert LearnerProfile.objects.get(user=alice).active_enrollment == first
    assert not LearnerProfile.objects.filter(user=bob).exists()


def test_activating_needs_a_post(client: Client, alice: User, two_enrollments: tuple[Enrollment, Enrollment]) -> None:
    client.force_login(alice)

    response = client.get(f"/enrollments/{two_enrollments[1].pk}/activate/")

    assert response.status_code == 405
    assert LearnerProfile.objects.get(user=alice).active_enrollment == two_enrollments[0]


def test_activating_is_refused_without_a_csrf_token(
    alice: User, two_enrollments: tuple[Enrollment, Enrollment]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(f"/enrollments/{two_enrollments[1].pk}/activate/")

    assert response.status_code == 403
    assert LearnerProfile.objects.get(user=alice).active_enrollment == two_enrollments[0]


def test_a_learner_without_an_enrollment_is_sent_to_enroll(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get("/settings/")

    assert response.status_code == 302
    assert response["Location"] == "/enroll/"


def test_the_nav_costs_one_query_however_many_enrollments(client: Client, alice: User) -> None:
    plans = [make_plan(slug=f"p{i}", days=1) for i in range(6)]
    client.force_login(alice)

    def enrollment_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/settings/").status_code == 200
        return sum('FROM "progress_enrollment"' in q["sql"] for q in ctx.captured_queries)

    Enrollment.objects.create(user=alice, plan=plans[0], start_date=SHANGHAI_TODAY)
    one = enrollment_queries()
    for p in plans[1:]:
        Enrollment.objects.create(user=alice, plan=p, start_date=SHANGHAI_TODAY)
    many = enrollment_queries()

    assert one == many == 1


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

    # session, user, enrollments (nav), preselected plan, "any plan?", the plan choices
    with django_assert_num_queries(6):
        assert client.get("/enroll/").status_code == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_enroll_posts_at_once_leave_one_enrollment_and_no_error(postgres: None, alice: User) -> None:
    plan = make_plan(slug="race", days=2)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def submit() -> None:
        client = Client()
        client.force_login(alice)
        barrier.wait()
        try:
            statuses.append(client.post("/enroll/", enroll_data(plan, start_date=date.today().isoformat())).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One redirect to Today; the others get the form back with the "already enrolled" message, never a 500.
    assert sorted(statuses) == [200, 200, 200, 302]
    assert Enrollment.objects.filter(user=alice, plan=plan).count() == 1
