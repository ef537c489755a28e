"""The learner's account pages (sessions, download/delete, settings) and the paged plan page have no axe-core
violations, in English and Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from progress.models import Enrollment
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/account/sessions/", "/account/delete/", "/settings/", "/plan/", "/plan/?phase=2"]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_account_pages_have_no_axe_violations(
    logged_in_page: LoggedInPage, alice: User, settings: Settings, locale: str
) -> None:
    settings.PLAN_PAGE_MAX_DAYS = 20  # so /plan/ shows its phase navigation
    Enrollment.objects.create(user=alice, plan=make_plan(days=45), start_date=date(2026, 3, 2))
    page = logged_in_page(alice, locale=locale)
    axe = Axe()
    found = {}
    for url in PAGES:
        page.goto(url)
        results = axe.run(page)
        if results.violations_count:
            found[url] = results.generate_report()
    assert not found, found
    page.goto("/plan/")
    assert page.locator("nav.phase-nav a[aria-current=page]").count() == 1
