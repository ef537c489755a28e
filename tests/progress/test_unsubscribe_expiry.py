"""Unsubscribe links expire when the learner turns reminders back on: an old email's link then changes nothing
and says so, with the way to the settings; the links in newer emails keep working with one click."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment, LearnerProfile
from progress.unsubscribe import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.progress.helpers import settings_form
from tests.progress.reminder_helpers import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    enrollment = enroll(alice, plan, start=date(2026, 3, 2), language="en")
    LearnerProfile.objects.filter(user=alice).update(active_enrollment=enrollment)
    return enrollment


def one_click(token: str) -> int:
    client = Client(enforce_csrf_checks=True)
    return client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code


def reminders_on(enrollment: Enrollment) -> bool:
    enrollment.refresh_from_db()
    return enrollment.reminders_enabled


def turn_reminders_back_on(alice: User, enrollment: Enrollment) -> None:
    client = Client()
    client.force_login(alice)
    enrollment.refresh_from_db()
    response = client.post("/settings/", settings_form(enrollment, reminders_enabled="on"))
    assert response.status_code == 302
    assert reminders_on(enrollment)


def test_a_link_from_before_reminders_were_turned_back_on_has_expired(alice: User, enrollment: Enrollment) -> None:
    old = unsubscribe_token(enrollment)
    assert one_click(old) == 200
    turn_reminders_back_on(alice, enrollment)

    assert one_click(old) == 410
    assert reminders_on(enrollment)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_expired_page_says_so_and_leads_to_the_settings(alice: User, enrollment: Enrollment, method: str) -> None:
    old = unsubscribe_token(enrollment)
    one_click(old)
    turn_reminders_back_on(alice, enrollment)

    response = getattr(Client(), method)(f"/unsubscribe/{old}/")

    assert response.status_code == 410
    assert "This link has expired" in response.text  # in the learner's language
    assert 'href="/settings/"' in response.text
    assert "Unsubscribe</button>" not in response.text
    assert reminders_on(enrollment)


def test_the_link_in_a_newer_email_still_unsubscribes_with_one_click(alice: User, enrollment: Enrollment) -> None:
    one_click(unsubscribe_token(enrollment))
    turn_reminders_back_on(alice, enrollment)
    enrollment.refresh_from_db()

    assert one_click(unsubscribe_token(enrollment)) == 200
    assert not reminders_on(enrollment)


def test_saving_settings_with_reminders_left_on_keeps_the_links_valid(alice: User, enrollment: Enrollment) -> None:
    token = unsubscribe_token(enrollment)
    client = Client()
    client.force_login(alice)

    client.post("/settings/", settings_form(enrollment, reminder_time="06:15"))

    assert one_click(token) == 200
    assert not reminders_on(enrollment)


def test_links_mailed_before_links_carried_a_generation_still_work(enrollment: Enrollment) -> None:
    legacy = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(enrollment.pk))

    assert one_click(legacy) == 200
    assert not reminders_on(enrollment)


def test_a_link_naming_a_generation_that_never_was_is_expired_not_honoured(enrollment: Enrollment) -> None:
    future = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{enrollment.pk}.7")

    assert one_click(future) == 410
    assert reminders_on(enrollment)
