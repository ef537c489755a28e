"""A learner on a phone walks the study companion: resources -> weekend review -> snippet library -> search.

Each page fits 375 px without sideways scrolling and has no axe-core violations.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.fixtures import Settings

from curriculum.document import parse_bytes
from curriculum.importer import import_document
from curriculum.models import Day, Resource
from progress.models import DayNote, Enrollment, ResourceProgress, WeekNote
from tests.browser.conftest import LoggedInPage
from tests.progress.companion.reference import REFERENCE
from tests.progress.helpers import START

PHONE = ViewportSize(width=375, height=740)
AXE = Axe()


def check_page(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_resources_review_snippets_and_search_on_a_phone(
    alice: User, logged_in_page: LoggedInPage, settings: Settings
) -> None:
    settings.LANGUAGE_CODE = "en"  # the assertions read the English texts
    plan = import_document(parse_bytes(REFERENCE.read_bytes()), "multimodal-90-days").plan
    enrollment = Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")
    DayNote.objects.create(
        enrollment=enrollment, day=Day.objects.get(plan=plan, number=4), body="```python\nimport clip\n```"
    )
    paper = Resource.objects.get(section__plan=plan, section__position=1, position=1)
    page = logged_in_page(alice, viewport=PHONE)

    # Resources: mark paper 1 as in progress, without JavaScript's help (a plain form post).
    page.goto("/resources/")
    check_page(page)
    page.select_option(f"#status-{paper.pk}", "in_progress")
    page.locator(f"#resource-{paper.pk} button[type=submit]").click()
    expect(page.locator(f"#resource-{paper.pk} .status")).to_have_text("In progress")
    assert ResourceProgress.objects.get(enrollment=enrollment, resource=paper).status == "in_progress"

    # Its page links to day 1, which cites it.
    page.locator(f"#resource-{paper.pk} .resource-title").click()
    check_page(page)
    expect(page.get_by_role("link", name="Day 1", exact=True).first).to_be_visible()

    # The weekend review of week 1: write the weekly reflection; it saves as the learner types.
    page.goto("/review/1/")
    check_page(page)
    page.locator("#note-body").press_sequentially("Week one: *CLIP*", delay=10)
    expect(page.locator("#note-version")).to_have_value("1", timeout=10_000)
    expect(page.locator("#note-preview em")).to_have_text("CLIP")
    assert WeekNote.objects.get(enrollment=enrollment).body == "Week one: *CLIP*"

    # The snippet library shows the day note's code, highlighted.
    page.goto("/snippets/")
    check_page(page)
    expect(page.locator("article.snippet pre .kn")).to_have_text("import")

    # Search from the header box.
    page.locator("#header-q").fill("CLIP")
    page.locator(".header-search button").click()
    page.wait_for_url("**/search/?q=CLIP")
    check_page(page)
    expect(page.locator(".hit-text mark").first).to_have_text("CLIP")
