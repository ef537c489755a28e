"""HEAD, as monitors and link checkers send it: every page answers it like GET and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from progress.models import Enrollment
from tests.progress.helpers import settings_snapshot

pytestmark = pytest.mark.django_db


PAGES = ["/", "/calendar/", "/days/1/", "/plan/", "/progress/", "/enroll/", "/settings/", "/reschedule/", "/days-off/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_learner_page_answers_head_like_get_and_changes_nothing(
    alice_client: Client, enrollment: Enrollment, path: str
) -> None:
    before = settings_snapshot(enrollment)

    response = alice_client.head(path)

    assert response.status_code == alice_client.get(path).status_code == 200
    assert settings_snapshot(enrollment) == before


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"])
def test_the_account_pages_answer_head(path: str) -> None:
    assert Client().head(path).status_code == 200
