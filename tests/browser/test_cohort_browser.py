"""The instructor's cohort pages in a real browser, phone-sized: sorting and filtering through htmx, the
nudge, and no axe-core violation on any of the pages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from progress.models import LearnerProfile, Nudge
from tests.browser.conftest import LoggedInPage
from tests.progress.cohort_helpers import Crowd, fill_plan, make_instructor

PHONE = {"width": 375, "height": 740}


def names(page: Page) -> list[str]:
    return page.locator("#cohort-table tbody th").all_inner_texts()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # Nothing wider than the phone: wide tables and the chart scroll inside their own regions.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def crowd(db: None) -> Crowd:
    return fill_plan()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_instructor_sorts_filters_and_nudges(logged_in_page: LoggedInPage, crowd: Crowd) -> None:
    ines: User = make_instructor("ines-browser", crowd.plan)
    LearnerProfile.objects.create(user=ines, language="en")
    page = logged_in_page(ines, viewport=PHONE, locale="en-US")
    page.goto("/instructor/plans/cohort-plan/")
    expect(page.locator("#table-title")).to_contain_text("7 of 7 learners")
    assert_accessible(page)

    # Sorting: a click on a column header swaps the table (htmx) and puts the order in the address.
    page.locator('th a[data-sort="name"]').click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(page.locator("#cohort-table tbody th").first).to_have_text("Behind")
    assert names(page) == ["Behind", "Finisher", "Future", "Never", "Ontrack", "Paused", "Quiet"]
    page.locator('th a[data-sort="name"]').click()
    expect(page.locator("#cohort-table tbody th").first).to_have_text("Quiet")

    # Filtering keeps the sort order and the filter form as it was typed.
    page.get_by_label("Finished").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#table-title")).to_contain_text("1 of 7 learners")
    assert names(page) == ["Finisher"]
    expect(page).to_have_url(re.compile(r"finished=on"))
    page.get_by_label("Finished").uncheck()
    page.get_by_label("Inactive for at least (days)").fill("0")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#table-title")).to_contain_text("7 of 7 learners")

    # The nudge: the filtered learners come ticked; sending queues it and says so.
    page.goto("/instructor/plans/cohort-plan/?paused=on")
    page.locator("#nudge-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Email learners")
    assert_accessible(page)
    expect(page.locator('input[name="recipients"]:checked')).to_have_count(1)
    page.get_by_label("Subject").fill("We miss you")
    page.get_by_label("Message (Markdown)").fill("Come back **soon**.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("on its way to 1 learner")
    nudge = Nudge.objects.get()
    assert list(nudge.deliveries.values_list("enrollment__user__username", flat=True)) == ["paused"]

    # The other pages pass axe too.
    for url in (
        "/instructor/plans/cohort-plan/days/",
        f"/instructor/plans/cohort-plan/learners/{crowd.by_name['behind'].pk}/",
    ):
        page.goto(url)
        assert_accessible(page)
