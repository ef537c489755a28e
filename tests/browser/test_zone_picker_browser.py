"""The time zone picker in Chromium: the device's zone (Intl) first in the list and filled in on a first
enrollment, a one-click switch to it in settings, typing a zone without JavaScript, and no axe-core
violations on the enroll and settings pages."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.fixtures import Settings

from progress.models import Enrollment
from progress.zones import local_today
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True)
def english(settings: Settings) -> None:
    """Learners without a profile read the default language; these tests read the English strings."""
    settings.LANGUAGE_CODE = "en"


def watch(page: Page) -> list[str]:
    """Console errors (a CSP violation is one) collected while the test runs."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


# 25 hours apart: at any moment at least one of them is on another date than the site's default zone.
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_default_start_date_is_today_in_the_device_zone(logged_in_page: LoggedInPage, alice: User, zone) -> None:
    """A learner enrolling late in the evening west of the site's zone starts today, not tomorrow."""
    plan = make_plan(days=10)
    page = logged_in_page(alice, viewport=DESKTOP, locale="en-US", timezone_id=zone)
    page.goto("/enroll/")
    assert page.locator("input[name=time_zone]").input_value() == zone
    assert page.locator("input[name=start_date]").input_value() == local_today(zone).isoformat()
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/")
    assert Enrollment.objects.get(user=alice, plan=plan).start_date == local_today(zone)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_a_first_enrollment_takes_the_device_zone(logged_in_page: LoggedInPage, alice: User, viewport) -> None:
    plan = make_plan(days=10)
    page = logged_in_page(alice, viewport=viewport, locale="en-US", timezone_id="Europe/Berlin")
    problems = watch(page)

    page.goto("/enroll/")

    field = page.locator("input[name=time_zone]")
    assert field.input_value() == "Europe/Berlin"
    first = page.locator("datalist#id_time_zone-zones option").first
    assert (first.get_attribute("value"), first.text_content()) == ("Europe/Berlin", "Your device's time zone")
    # The page offers nothing that would send the learner straight back here.
    assert page.locator("nav.site-nav a[href='/']").count() == 0
    assert page.locator("form[role=search]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/")
    assert Enrollment.objects.get(user=alice, plan=plan).time_zone == "Europe/Berlin"
    assert problems == []


def test_settings_offer_the_device_zone_with_one_click(logged_in_page: LoggedInPage, alice: User) -> None:
    enrollment = Enrollment.objects.create(
        user=alice, plan=make_plan(days=10), start_date=local_today("Asia/Shanghai"), time_zone="Asia/Shanghai"
    )
    page = logged_in_page(alice, viewport=PHONE, locale="en-US", timezone_id="America/New_York")
    problems = watch(page)
    page.goto("/settings/")

    field = page.locator("input[name=time_zone]")
    assert field.input_value() == "Asia/Shanghai"  # a learner's own zone is never replaced on its own
    assert page.locator("datalist#id_time_zone-zones option").first.get_attribute("value") == "America/New_York"
    page.get_by_role("button", name="Use my device's time zone: America/New_York").click()
    assert field.input_value() == "America/New_York"
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/settings/")

    enrollment.refresh_from_db()
    assert enrollment.time_zone == "America/New_York"
    assert "America/New_York" in page.locator("#next-reminder").inner_text()  # the next reminder, in the new zone
    assert problems == []


def test_without_javascript_a_zone_is_typed(logged_in_page: LoggedInPage, alice: User) -> None:
    enrollment = Enrollment.objects.create(
        user=alice, plan=make_plan(days=10), start_date=date(2026, 3, 2), time_zone="Asia/Shanghai"
    )
    page = logged_in_page(alice, locale="en-US", java_script_enabled=False, timezone_id="Europe/Berlin")
    page.goto("/settings/")
    assert page.locator("button.zone-use-device").count() == 0

    page.fill("input[name=time_zone]", "europe/berlin")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/settings/")
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Europe/Berlin"

    page.fill("input[name=time_zone]", "Etc/GMT-8")
    page.click("form.form button[type=submit]")
    assert "is not a time zone we know" in page.locator(".field-zone").inner_text()
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Europe/Berlin"


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_enroll_and_settings_have_no_axe_violations(
    logged_in_page: LoggedInPage, alice: User, settings: Settings, locale: str
) -> None:
    settings.LANGUAGE_CODE = "en" if locale == "en-US" else "zh-hans"
    make_plan(days=10)
    page = logged_in_page(alice, viewport=PHONE, locale=locale, timezone_id="Asia/Shanghai")
    axe = Axe()
    page.goto("/enroll/")
    enroll_results = axe.run(page)
    assert enroll_results.violations_count == 0, enroll_results.generate_report()
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/settings/")
    settings_results = axe.run(page)
    assert settings_results.violations_count == 0, settings_results.generate_report()
