"""An instructor opens the learner pages' preview from the plan's admin page in a real Chromium at 1280 px (in the
default language): the form, and every preview page, have no axe-core violations and write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission
from playwright.sync_api import Page

from curriculum.models import Plan
from progress.models import Enrollment
from progress.preview import default_today
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan
from tests.progress.cohort_helpers import make_instructor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_axe_violations(page: Page, context: dict[str, list[list[str]]] | None = None) -> None:
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def plan(db: None) -> Plan:
    return make_plan(slug="taught", days=10)


def test_open_the_preview_from_the_plans_admin_page_at_1280_px(logged_in_page: LoggedInPage, plan: Plan) -> None:
    ida = make_instructor("ida", plan)
    # Transactional tests flush the tables, the Instructors group's permissions (made by a migration) with them.
    ida.groups.get().permissions.add(*Permission.objects.filter(content_type__app_label="curriculum"))
    page = logged_in_page(ida, viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.goto(f"/admin/curriculum/plan/{plan.pk}/change/")
    assert page.input_value("#plan-preview-start") == default_today().isoformat()
    # Only what this feature adds to the plan's page: Django's own inline tables have empty header cells.
    no_axe_violations(page, {"include": [["#plan-preview"], [".object-tools"]]})

    # A start date a week and a half ago: today is a study day or a review day of the plan's second week.
    start = default_today() - timedelta(days=10)
    page.fill("#plan-preview-start", start.isoformat())
    page.click("#plan-preview input[type=submit]")
    page.wait_for_url(f"**/instructor/plans/taught/preview/{start.isoformat()}/")
    banner = page.inner_text("#preview-banner")
    assert "以学员身份预览" in banner and "不会保存任何内容" in banner
    assert page.locator("main input[type=checkbox]:not([disabled])").count() == 0
    no_axe_violations(page)

    page.click("nav.site-nav >> text=日历")
    page.wait_for_url("**/calendar/")
    assert page.locator("td.is-today").count() == 1
    no_axe_violations(page)
    page.click("a.next")  # htmx swaps the month grid and pushes the preview's address
    page.wait_for_url("**/calendar/*/*/")
    assert "/instructor/plans/taught/preview/" in page.url

    page.click("nav.site-nav >> text=计划")
    page.wait_for_url("**/plan/")
    no_axe_violations(page)
    page.click("ol.plan-days a >> nth=0")
    page.wait_for_url("**/days/1/")
    assert page.locator(f"time[datetime='{_first_study_day(start).isoformat()}']").count() == 1
    assert page.locator("main form").count() == 0
    no_axe_violations(page)

    page.click("nav.site-nav >> text=返回管理后台中的计划")
    page.wait_for_url(f"**/admin/curriculum/plan/{plan.pk}/change/")
    assert not Enrollment.objects.exists()


def _first_study_day(start: date) -> date:
    """Day 1 of a Monday-to-Friday enrollment from `start`."""
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return start
