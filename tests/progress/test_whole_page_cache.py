"""Whole learner pages served from the cache stay right: their own CSP nonce, messages, the frame around them.

Each test warms a page (two loads: the first sets the CSRF cookie the cache key needs), changes what the
frame shows or asks for what every response must have of its own, and loads the page again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from progress.code_version import code_version
from progress.models import Enrollment
from tests.factories import make_plan
from tests.progress.helpers import START, warm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

PAGES = ["/", "/days/1/", "/calendar/", "/plan/", "/progress/"]
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def on_day_one(on_local_date: Callable[..., None]) -> None:
    on_local_date(START)


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_its_own_nonce_in_page_and_header(
    alice_client: Client, enrollment: Enrollment, url: str
) -> None:
    warm(alice_client, url)
    nonces = []
    for _ in range(2):
        response = alice_client.get(url)
        in_page = NONCE.findall(response.content.decode())
        assert in_page, "the htmx script tag carries the nonce"
        assert f"'nonce-{in_page[0]}'" in response["Content-Security-Policy"]
        nonces.append(in_page[0])
    assert nonces[0] != nonces[1]


def test_a_message_shows_once_on_a_cached_page(alice_client: Client, enrollment: Enrollment) -> None:
    assert "Note saved." not in warm(alice_client, "/days/1/")
    response = alice_client.post("/days/1/note/", {"body": "A note", "version": "0"}, follow=True)
    assert "Note saved." in response.content.decode()
    assert "Note saved." not in alice_client.get("/days/1/").content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_becoming_staff_shows_the_cohorts_link(
    alice_client: Client, alice: User, enrollment: Enrollment, url: str
) -> None:
    assert 'href="/instructor/"' not in warm(alice_client, url)
    alice.is_staff = True
    alice.save()
    assert 'href="/instructor/"' in alice_client.get(url).content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_second_enrollment_and_a_renamed_plan_show_in_the_switcher(
    alice_client: Client, alice: User, enrollment: Enrollment, url: str
) -> None:
    assert "Switch to" not in warm(alice_client, url)
    other = make_plan(slug="second", days=3)
    Enrollment.objects.create(user=alice, plan=other, start_date=START - timedelta(days=7))
    # The newest enrollment becomes active unless the profile chose one: either way both plans are named.
    page = alice_client.get(url).content.decode()
    assert "Switch to" in page
    Plan.objects.filter(pk=other.pk).update(title="A renamed second plan")
    Plan.objects.filter(pk=enrollment.plan_id).update(title="A renamed first plan")
    page = alice_client.get(url).content.decode()
    assert "A renamed second plan" in page and "A renamed first plan" in page


def test_another_learner_with_the_same_csrf_secret_gets_their_own_page(
    alice_client: Client, enrollment: Enrollment, make_user: Callable[..., User], plan: Plan
) -> None:
    warm(alice_client, "/plan/")
    bob = make_user("bob")
    Enrollment.objects.create(user=bob, plan=plan, start_date=START + timedelta(days=14))
    bobs = Client()
    bobs.force_login(bob)
    bobs.cookies["csrftoken"] = alice_client.cookies["csrftoken"].value
    assert 'datetime="2026-03-03"' not in bobs.get("/plan/").content.decode()


def test_the_htmx_grid_and_the_full_calendar_are_kept_apart(alice_client: Client, enrollment: Enrollment) -> None:
    warm(alice_client, "/calendar/")
    grid = alice_client.get("/calendar/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in grid and 'id="month-grid"' in grid
    assert "<html" in alice_client.get("/calendar/").content.decode()


def test_the_code_version_follows_the_templates(settings, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("one")
    settings.BASE_DIR = tmp_path
    code_version.cache_clear()
    try:
        first = code_version()
        page.write_text("two")
        code_version.cache_clear()
        assert code_version() != first
    finally:
        code_version.cache_clear()


def test_a_newly_published_plan_shows_in_the_switcher(
    alice_client: Client, alice: User, enrollment: Enrollment
) -> None:
    Enrollment.objects.create(user=alice, plan=make_plan(slug="second", days=3), start_date=START)
    assert "Enroll in another plan" not in warm(alice_client, "/plan/")
    make_plan(slug="third", days=3)
    assert "Enroll in another plan" in alice_client.get("/plan/").content.decode()
