"""progress.auth.LearnerBackend: Django's ModelBackend, loading the learner's enrollments with the user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from progress.access import user_with_enrollments
from progress.auth import LearnerBackend
from progress.models import Enrollment, LearnerProfile
from tests.factories import make_plan
from tests.progress.helpers import START

pytestmark = pytest.mark.django_db


def test_a_password_login_is_served_by_the_learner_backend(client: Client, make_user) -> None:
    make_user("carol", password="a long enough pass")
    response = client.post("/accounts/login/", {"username": "carol", "password": "a long enough pass"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "progress.auth.LearnerBackend"
    assert client.get("/enroll/").status_code == 200


@pytest.mark.parametrize("user_id", [None, "", "abc", "12x", 10**12])
def test_an_id_that_names_nobody_loads_nobody(user_id: object) -> None:
    assert LearnerBackend().get_user(user_id) is None


def test_an_inactive_user_is_not_loaded(alice: User) -> None:
    alice.is_active = False
    alice.save()
    assert LearnerBackend().get_user(alice.pk) is None


def test_a_deactivated_learner_is_signed_out_at_the_next_request(alice_client: Client, alice: User) -> None:
    assert alice_client.get("/settings/").status_code in (200, 302)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = alice_client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_user_comes_with_every_enrollment_newest_first_and_the_active_one(alice: User, plan: Plan) -> None:
    older = Enrollment.objects.create(user=alice, plan=plan, start_date=START)
    newer = Enrollment.objects.create(user=alice, plan=make_plan(slug="second", days=2), start_date=START)
    LearnerProfile.objects.create(user=alice, active_enrollment=older)
    user = user_with_enrollments(alice.pk)
    assert user is not None and user.pk == alice.pk and user.username == alice.username
    rows = user._learner_enrollment_rows  # type: ignore[attr-defined]
    assert [e.pk for e in rows] == [newer.pk, older.pk]
    assert [e.is_active for e in rows] == [False, True]
    assert [e.plan.slug for e in rows] == ["second", plan.slug]
    assert rows[1].start_date == START
    assert rows[1].plan.version == Plan.objects.get(pk=plan.pk).version


def test_a_user_without_enrollments_comes_with_none(alice: User) -> None:
    user = user_with_enrollments(alice.pk)
    assert user is not None and user._learner_enrollment_rows == ()  # type: ignore[attr-defined]


def test_a_session_that_named_model_backend_still_signs_in_while_it_is_listed(
    client: Client, alice: User, settings
) -> None:
    """Listing ModelBackend again (after LearnerBackend) keeps older sessions; the pages read the enrollments
    with a query of their own for them."""
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "django.contrib.auth.backends.ModelBackend"]
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    Enrollment.objects.create(user=alice, plan=make_plan(), start_date=START)
    assert client.get("/").status_code == 200
