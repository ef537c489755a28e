"""One-click unsubscribe: GET confirms, POST (also cookie-less with CSRF enforced) turns reminders off."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment
from progress.unsubscribe import unsubscribe_token
from tests.progress.reminder_helpers import enroll, plan_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    return enroll(alice, plan, start=date(2026, 3, 2))


def url(e: Enrollment) -> str:
    return f"/unsubscribe/{unsubscribe_token(e)}/"


def test_get_shows_a_confirmation_and_changes_nothing(client: Client, enrollment: Enrollment) -> None:
    response = client.get(url(enrollment))
    assert response.status_code == 200
    assert f'<form method="post" action="{url(enrollment)}">' in response.text
    assert "退订" in response.text  # the learner's language (zh-hans)
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True


def test_post_from_the_page_turns_reminders_off(client: Client, enrollment: Enrollment) -> None:
    response = client.post(url(enrollment))
    assert response.status_code == 200
    assert "你将不再收到" in response.text
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_one_click_post_without_cookies_works_with_csrf_enforced(enrollment: Enrollment) -> None:
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        url(enrollment), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_repeating_the_post_is_harmless(client: Client, enrollment: Enrollment) -> None:
    assert client.post(url(enrollment)).status_code == 200
    assert client.post(url(enrollment)).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is False


def test_a_tampered_token_is_404_and_changes_nothing(client: Client, enrollment: Enrollment, bob: User) -> None:
    other = enroll(bob, enrollment.plan, start=date(2026, 3, 2))
    token = unsubscribe_token(enrollment)
    forged = f"{other.pk}:{token.split(':', 1)[1]}"  # alice's signature on bob's id
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense"):
        assert Client(enforce_csrf_checks=True).post(f"/unsubscribe/{bad}/").status_code == 404
        assert Client().get(f"/unsubscribe/{bad}/").status_code == 404
    assert set(Enrollment.objects.values_list("reminders_enabled", flat=True)) == {True}


def test_a_token_for_a_deleted_enrollment_is_404(client: Client, enrollment: Enrollment) -> None:
    link = url(enrollment)
    enrollment.delete()
    assert client.post(link).status_code == 404


def test_other_methods_are_refused(client: Client, enrollment: Enrollment) -> None:
    assert client.put(url(enrollment)).status_code == 405
    enrollment.refresh_from_db()
    assert enrollment.reminders_enabled is True
