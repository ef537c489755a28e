"""The active enrollment: a learner in several plans switches between them from the nav, and only among their
own enrollments; every learner page needs one."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from progress.models import Enrollment, LearnerProfile
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

SHANGHAI_TODAY = date(2026, 3, 2)


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


def test_the_nav_costs_no_query_of_its_own_however_many_enrollments(client: Client, alice: User) -> None:
    """The enrollments (with their plans and the active one) come with the session and the user, in the one
    query that loads them (progress.sessions)."""
    plans = [make_plan(slug=f"p{i}", days=1) for i in range(6)]
    client.force_login(alice)

    def enrollment_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/settings/").status_code == 200
        # Not the learner's state, which reads the enrollment's counter beside the ticks (progress.state).
        reads = [
            q["sql"]
            for q in ctx.captured_queries
            if '"progress_enrollment"' in q["sql"] and '"progress_taskcompletion"' not in q["sql"]
        ]
        return len(reads), sum(
            '"django_session"' in sql and 'INNER JOIN "auth_user"' in sql and 'JOIN "progress_enrollment"' in sql
            for sql in reads
        )

    Enrollment.objects.create(user=alice, plan=plans[0], start_date=SHANGHAI_TODAY)
    one = enrollment_queries()
    for p in plans[1:]:
        Enrollment.objects.create(user=alice, plan=p, start_date=SHANGHAI_TODAY)
    many = enrollment_queries()

    assert one == many == (1, 1)
