"""A new learner in a real Chromium: sign up through the form, confirm the address, log in, enroll, land on
the next page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from progress.models import Enrollment
from tests.browser.conftest import LoggedInPage, sign_up
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("viewport", "locale", "enroll_heading"),
    [
        ({"width": 1280, "height": 800}, "en-US", "Enroll in a plan"),
        ({"width": 375, "height": 740}, "zh-CN", "报名学习计划"),
    ],
    ids=["desktop-en", "phone-zh"],
)
def test_a_new_learner_signs_up_and_enrolls(
    browser: Any, live_server: Any, viewport: dict[str, int], locale: str, enroll_heading: str
) -> None:
    plan = make_plan(slug="browser", days=5)
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()

    sign_up(page, live_server, "dora", "a-long-unusual-passphrase-42")

    page.wait_for_url(f"{live_server.url}/enroll/")
    # The page is in the language the visitor signed up in, and fits the screen without sideways scrolling.
    assert page.locator("h1").inner_text() == enroll_heading
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.check(f"input[name=plan][value='{plan.pk}']")
    page.uncheck("input[name=weekdays][value='4']")  # no Fridays
    page.check("input[name=weekdays][value='5']")  # Saturdays instead
    page.fill("input[name=time_zone]", "Europe/Berlin")
    page.click("form.form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    user = User.objects.get(username="dora")
    enrollment = Enrollment.objects.get(user=user)
    assert enrollment.plan == plan
    assert enrollment.weekdays == frozenset({0, 1, 2, 3, 5})
    assert enrollment.time_zone == "Europe/Berlin"
    context.close()


def test_the_settings_page_fits_a_phone_and_saves(live_server: Any, logged_in_page: LoggedInPage, alice: User) -> None:
    """Logs in by copying a test-client session cookie into the browser, then saves a setting."""
    from datetime import date, time

    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=3), start_date=date(2026, 3, 2))
    page = logged_in_page(alice, viewport={"width": 375, "height": 740})

    page.goto(f"{live_server.url}/settings/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("input[name=reminder_time]", "06:30")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".message.success")

    enrollment.refresh_from_db()
    assert enrollment.reminder_time == time(6, 30)
