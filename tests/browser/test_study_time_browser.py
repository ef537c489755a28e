"""A learner on a phone logs study time, starts the timer, reloads, stops it, and sees the week's time on the
progress page; and logs time with JavaScript off. Every page fits 375 px and has no axe-core violations."""

from __future__ import annotations

from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.db.models import F
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.fixtures import Settings

from progress.models import Enrollment, StudyTime, StudyTimer
from progress.zones import local_today
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

PHONE = ViewportSize(width=375, height=740)
AXE = Axe()


def check_page(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def enrolled(alice: User) -> Enrollment:
    plan = make_plan(days=10)
    today = local_today("Asia/Shanghai")
    # Every day a study day, from yesterday: day 2 is today, week 1 has begun.
    return Enrollment.objects.create(
        user=alice, plan=plan, start_date=today - timedelta(days=1), study_weekdays=127, time_zone="Asia/Shanghai"
    )


def test_log_time_start_the_timer_reload_and_stop_on_a_phone(
    alice: User, logged_in_page: LoggedInPage, settings: Settings
) -> None:
    settings.LANGUAGE_CODE = "en"
    enrollment = enrolled(alice)
    page = logged_in_page(alice, viewport=PHONE)
    page.goto("/days/2/")
    check_page(page)

    # A quick button and a corrected total, each swapped in place by htmx.
    page.get_by_role("button", name="Add 30 minutes").click()
    expect(page.locator("#time-total")).to_have_text("30 min")
    expect(page.locator("#time-status")).to_have_text("Added 30 min.")
    page.locator("#time-minutes").fill("45")
    page.get_by_role("button", name="Save time").click()
    expect(page.locator("#time-total")).to_have_text("45 min")

    # The timer: started, still running after a reload (the start is kept on the server).
    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_role("button", name="Stop timer")).to_be_visible()
    page.reload()
    expect(page.locator("#timer-running")).to_contain_text("Timer running for this day since")
    check_page(page)
    # 25 minutes of study pass (moved on the server's clock by moving the stored start back).
    StudyTimer.objects.update(started_at=F("started_at") - timedelta(minutes=25))
    page.get_by_role("button", name="Stop timer").click()
    expect(page.locator("#time-status")).to_have_text("Timer stopped: 25 min added.")
    expect(page.locator("#time-total")).to_have_text("1 h 10 min")
    expect(page.get_by_role("button", name="Start timer")).to_be_visible()
    assert StudyTime.objects.get(enrollment=enrollment).minutes == 70 and not StudyTimer.objects.exists()

    # The progress page: week 1 against the plan's 3-4 hours per study day, beside the heatmap.
    page.goto("/progress/")
    check_page(page)
    row = page.locator(".time-table tbody tr").first
    expect(row).to_contain_text("Week 1")
    expect(row).to_contain_text("1 h 10 min")
    expect(row).to_contain_text("below the plan")


def test_logging_time_without_javascript(alice: User, logged_in_page: LoggedInPage, settings: Settings) -> None:
    settings.LANGUAGE_CODE = "en"
    enrollment = enrolled(alice)
    page = logged_in_page(alice, viewport=PHONE, java_script_enabled=False)
    page.goto("/days/2/")
    page.get_by_role("button", name="Add 15 minutes").click()
    expect(page.locator("#time-total")).to_have_text("15 min")
    expect(page.locator(".messages")).to_contain_text("Added 15 min.")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator("#timer-running")).to_contain_text("Timer running for this day since")
    page.get_by_role("button", name="Stop timer").click()
    expect(page.locator(".messages")).to_contain_text("Timer stopped after less than a minute: nothing added.")
    assert StudyTime.objects.get(enrollment=enrollment).minutes == 15
