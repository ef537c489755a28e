"""A learner's day in a real browser: Today, ticking, a note, the calendar; on a desktop and a phone.

Text in the interface may be Chinese or English (the learner's choice), so the checks read numbers from
data attributes, ids and URLs rather than words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from curriculum.models import Task
from progress.models import DayNote, Enrollment, TaskCompletion
from progress.services import local_today
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EVERY_DAY = 0b1111111  # every weekday is a study day, so "today" is always plan day 1


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def learner(alice: User) -> Enrollment:
    plan = make_plan(slug="journey", days=10)
    enrollment = Enrollment(user=alice, plan=plan, start_date=date.today(), study_weekdays=EVERY_DAY)
    enrollment.start_date = local_today(enrollment)  # the learner's own today, in their time zone
    enrollment.save()
    return enrollment


def logged_in_page(browser: Browser, live_server: LiveServer, user: User, viewport: ViewportSize) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def mark_page(page: Page) -> None:
    """A flag that only survives as long as the page is not reloaded."""
    page.evaluate("window.__sameDocument = true")


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", [ViewportSize(width=1280, height=900), ViewportSize(width=375, height=740)])
def test_a_learners_day(browser: Browser, live_server: LiveServer, learner: Enrollment, viewport: ViewportSize) -> None:
    page = logged_in_page(browser, live_server, learner.user, viewport)
    tasks = list(
        Task.objects.filter(session__day__plan=learner.plan, session__day__number=1).order_by(
            "session__position", "position"
        )
    )

    # Today shows day 1 with labelled tick boxes.
    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_count(1)
    overall = page.locator("#overall-counter .overall-done")
    expect(overall).to_have_attribute("data-done", "0")
    mark_page(page)

    # Ticking saves at once and both counters change without a reload.
    page.get_by_label(tasks[0].text, exact=True).check()
    expect(overall).to_have_attribute("data-done", "1")
    expect(page.locator("#day-1-counter")).to_have_attribute("data-done", "1")
    assert still_same_page(page)
    assert TaskCompletion.objects.filter(enrollment=learner, task=tasks[0]).count() == 1
    if viewport["width"] < 500:
        assert no_horizontal_scroll(page)

    # Unticking works the same way.
    page.get_by_label(tasks[0].text, exact=True).uncheck()
    expect(overall).to_have_attribute("data-done", "0")
    assert not TaskCompletion.objects.filter(enrollment=learner).exists()

    # A note saves as the learner types and is there after a reload.
    page.goto(f"{live_server.url}/days/1/")
    page.locator("#note-body").press_sequentially("Learned about *CLIP*", delay=10)
    expect(page.locator("#note-version")).to_have_value("1", timeout=10_000)
    expect(page.locator("#note-preview em")).to_have_text("CLIP")
    page.locator("#note-body").press_sequentially(" and contrastive loss", delay=10)
    expect(page.locator("#note-version")).to_have_value("2", timeout=10_000)
    page.reload()
    expect(page.locator("#note-body")).to_have_value("Learned about *CLIP* and contrastive loss")
    assert DayNote.objects.get(enrollment=learner).version == 2

    # The calendar moves a month forward and back in place, and the address bar follows.
    page.goto(f"{live_server.url}/calendar/")
    mark_page(page)
    today = local_today(learner)
    nxt = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    title = page.locator("#month-title")
    first_title = title.inner_text()
    page.locator("#month-grid a[rel=next]").click()
    expect(page).to_have_url(re.compile(rf"/calendar/{nxt.year}/{nxt.month}/$"))
    expect(title).not_to_have_text(first_title)
    expect(page.locator(f'time[datetime="{nxt.isoformat()}"]')).to_have_count(1)
    page.locator("#month-grid a[rel=prev]").click()
    expect(page).to_have_url(re.compile(rf"/calendar/{today.year}/{today.month}/$"))
    expect(title).to_have_text(first_title)
    expect(page.locator("td[aria-current=date] a.day-link")).to_have_attribute("href", "/days/1/")
    assert still_same_page(page)
    if viewport["width"] < 500:
        assert no_horizontal_scroll(page)

    # Every date of the plan links to its day.
    page.locator("td[aria-current=date] a.day-link").click()
    expect(page).to_have_url(re.compile(r"/days/1/$"))
    page.context.close()


def test_two_tabs_saving_one_note_lose_no_text(browser: Browser, live_server: LiveServer, learner: Enrollment) -> None:
    first = logged_in_page(browser, live_server, learner.user, ViewportSize(width=1280, height=900))
    second = first.context.new_page()
    for page in (first, second):
        page.goto(f"{live_server.url}/days/2/")
    first.locator("#note-body").fill("from the first tab")
    first.locator("#note-body").press("End")  # a keyup: the autosave fires a second later
    expect(first.locator("#note-version")).to_have_value("1", timeout=10_000)

    # The second tab still edits version 0: its save is refused, its text stays, the newer note is shown.
    second.locator("#note-body").fill("from the second tab")
    second.locator(".note-form button[type=submit]:not([name])").click()
    expect(second.locator("#note-conflict .note-newer")).to_contain_text("from the first tab")
    expect(second.locator("#note-body")).to_have_value("from the second tab")
    assert DayNote.objects.get(enrollment=learner).body == "from the first tab"

    # The learner decides to keep their own text.
    second.locator("#note-conflict button[name=force_version]").click()
    expect(second.locator("#note-version")).to_have_value("2")
    expect(second.locator("#note-conflict")).to_be_empty()
    assert DayNote.objects.get(enrollment=learner).body == "from the second tab"
    first.context.close()


def test_without_javascript_forms_post_and_come_back(
    browser: Browser, live_server: LiveServer, learner: Enrollment
) -> None:
    client = Client()
    client.force_login(learner.user)
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    task = Task.objects.filter(session__day__plan=learner.plan, session__day__number=1).order_by("id").first()
    assert task is not None
    item = page.locator(f"#task-{task.pk}")
    item.get_by_label(task.text, exact=True).check()
    item.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#overall-counter .overall-done")).to_have_attribute("data-done", "1")
    page.goto(f"{live_server.url}/days/1/")
    page.locator("#note-body").fill("no script needed")
    page.locator(".note-form button[type=submit]:not([name])").click()
    expect(page).to_have_url(re.compile(r"/days/1/#note$"))
    expect(page.locator("#note-preview")).to_have_text("no script needed")
    context.close()
