"""The calendar feed in one click: webcal:// and Google Calendar links, and a copy button that appears only with a
writable clipboard (without JavaScript the URL stays a selectable field)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from progress.models import Enrollment
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner(alice: User, settings: object) -> Enrollment:
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]  # the learner reads English
    settings.SITE_URL = "http://127.0.0.1:8000"  # type: ignore[attr-defined]
    return Enrollment.objects.create(user=alice, plan=make_plan(days=3), start_date=date(2026, 3, 2))


def feed_url(enrollment: Enrollment) -> str:
    enrollment.refresh_from_db()
    return f"http://127.0.0.1:8000/calendar/{enrollment.calendar_token}.ics"


def test_the_copy_button_copies_the_feed_url_also_after_a_reset(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment
) -> None:
    page = logged_in_page(learner.user, locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/settings/")

    panel = page.locator("#calendar-feed")
    expect(panel.get_by_role("link", name="Subscribe in your calendar app")).to_have_attribute(
        "href", feed_url(learner).replace("http://", "webcal://")
    )
    google = panel.get_by_role("link", name="Add to Google Calendar").get_attribute("href") or ""
    assert google.startswith("https://calendar.google.com/calendar/r?cid=")
    assert parse_qs(urlsplit(google).query)["cid"] == [feed_url(learner).replace("http://", "webcal://")]

    copy = panel.get_by_role("button", name="Copy the link")
    copy.click()
    expect(panel.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url(learner)

    # The panel htmx swaps in after a reset brings a working button too, copying the new URL.
    old = feed_url(learner)
    panel.get_by_role("button", name="Reset the link").click()
    expect(page.locator("#calendar-feed-url")).not_to_have_value(old)
    page.locator("#calendar-feed").get_by_role("button", name="Copy the link").click()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url(learner) != old
    assert errors == []


def test_without_javascript_the_url_is_a_selectable_field_and_no_dead_button(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment
) -> None:
    page = logged_in_page(learner.user, locale="en-US", java_script_enabled=False)
    page.goto("/settings/")
    field = page.locator("#calendar-feed-url")
    expect(field).to_have_value(f"http://127.0.0.1:8000/calendar/{learner.calendar_token}.ics")
    expect(field).to_be_editable(editable=False)
    expect(page.locator("#calendar-feed button[data-copy]")).to_be_hidden()
    expect(page.locator("#calendar-feed a[href^='webcal://']")).to_be_visible()
