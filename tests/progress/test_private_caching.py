"""Every response to a signed-in user says `Cache-Control: private, no-store`, so no shared cache or proxy
keeps a learner's pages, the settings page with its secret feed URL, or the notes export."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from progress.models import Enrollment
from tests.progress.test_learner_urls import LEARNER_URLS, METHODS

ACCOUNT_PAGES = ["/accounts/password_change/", "/accounts/password_change/done/", "/admin/"]


def private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_learner_url_is_private_to_the_signed_in_learner(
    alice_client: Client, enrollment: Enrollment, name: str
) -> None:
    for method in sorted(METHODS[name]):
        response = alice_client.generic(method, LEARNER_URLS[name])
        assert private(response), (method, response.status_code, response.get("Cache-Control"))


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_are_private_too(client: Client, make_user, url: str) -> None:
    client.force_login(make_user("stella", is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    assert private(response)


def test_the_notes_export_is_private(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.get(LEARNER_URLS["notes_export"])
    assert response.status_code == 200
    assert private(response)


def test_the_calendar_feed_keeps_its_own_revalidating_policy(client: Client, enrollment: Enrollment) -> None:
    response = client.get(f"/calendar/{enrollment.calendar_token}.ics")
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"


def test_the_learner_page_is_private_even_for_a_learner_without_enrollment(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.get("/")
    assert response.status_code == 302
    assert private(response)
