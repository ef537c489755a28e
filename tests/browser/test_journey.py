"""A new learner's journey in a real browser: sign up, enroll, Today, ticking, a note, the calendar; on a desktop
and a phone.

Text in the interface may be Chinese or English (the learner's choice), so the checks read numbers from
data attributes, ids and URLs rather than words.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from curriculum.models import Plan, Task
from progress.models import DayNote, Enrollment, TaskCompletion
from progress.zones import local_today
from tests.browser.conftest import LoggedInPage, sign_up
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_DAY = 0b1111111  # every weekday is a study day, so "today" is always plan day 1


@pytest.fixture
def learner(alice: User) -> Enrollment:
    plan = make_plan(slug="journey", days=10)
    enrollment = Enrollment(user=alice, plan=plan, start_date=date.today(), study_weekdays=EVERY_DAY)
    enrollment.start_date = local_today(enrollment.time_zone)  # the learner's own today, in their time zone
    enrollment.save()
    return enrollment


def mark_page(page: Page) -> None:
    """A flag that only survives as long as the page is not reloaded."""
    page.evaluate("window.__sameDocument = true")


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def sign_up_and_enroll(page: Page, live_server: LiveServer, username: str, plan: Plan) -> Enrollment:
    """Through the forms, as a visitor would: sign up, then enroll studying on every day of the week."""
    sign_up(page, live_server, username, "a-long-unusual-passphrase-42")
    page.wait_for_url(f"{live_server.url}/enroll/")

    # Today may be a weekend: with all seven days ticked it is a study day, and (with the form's default start
    # date, today in the chosen time zone) plan day 1.
    page.check(f"input[name=plan][value='{plan.pk}']")
    for weekday in range(7):
        page.check(f"input[name=weekdays][value='{weekday}']")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return Enrollment.objects.get(user__username=username, plan=plan)


@pytest.mark.parametrize(
    "viewport", [ViewportSize(width=1280, height=800), ViewportSize(width=375, height=740)], ids=["desktop", "phone"]
)
def test_a_new_learners_whole_journey(browser: Browser, live_server: LiveServer, viewport: ViewportSize) -> None:
    plan = make_plan(slug="journey", days=10)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    learner = sign_up_and_enroll(page, live_server, "dora", plan)
    assert learner.study_weekdays == EVERY_DAY
    assert learner.start_date == local_today(learner.time_zone)
    tasks = list(
        Task.objects.filter(session__day__plan=learner.plan, session__day__number=1).order_by(
            "session__position", "position"
        )
    )

    # Enrolling lands on Today, which shows day 1 with labelled tick boxes.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#day-1-counter")).to_have_attribute("data-done", "0")
    overall = page.locator("#overall-counter .overall-done")
    expect(overall).to_have_attribute("data-done", "0")
    counter_text = overall.inner_text()
    if viewport["width"] < 500:
        assert no_horizontal_scroll(page)
    mark_page(page)

    # Ticking saves at once and the header counter, words included, and the day's counter change without a reload.
    page.get_by_label(tasks[0].text, exact=True).check()
    expect(overall).to_have_attribute("data-done", "1")
    expect(overall).not_to_have_text(counter_text)
    expect(page.locator("#day-1-counter")).to_have_attribute("data-done", "1")
    assert still_same_page(page)
    assert TaskCompletion.objects.filter(enrollment=learner, task=tasks[0]).count() == 1
    if viewport["width"] < 500:
        assert no_horizontal_scroll(page)

    # Unticking works the same way.
    page.get_by_label(tasks[0].text, exact=True).uncheck()
    expect(overall).to_have_attribute("data-done", "0")
    expect(overall).to_have_text(counter_text)
    assert still_same_page(page)
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
    if viewport["width"] < 500:
        assert no_horizontal_scroll(page)

    # The calendar moves a month forward and back in place, and the address bar follows.
    page.goto(f"{live_server.url}/calendar/")
    mark_page(page)
    today = local_today(learner.time_zone)
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
    context.close()


def test_two_tabs_saving_one_note_lose_no_text(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment
) -> None:
    first = logged_in_page(learner.user, ViewportSize(width=1280, height=900))
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


def test_without_javascript_forms_post_and_come_back(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment
) -> None:
    page = logged_in_page(learner.user, java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    task = Task.objects.filter(session__day__plan=learner.plan, session__day__number=1).order_by("id").first()
    assert task is not None
    item = page.locator(f"#task-{task.pk}")
    item.get_by_label(task.text, exact=True).check()
    item.locator("button[type=submit]").click()
    # Back at the task it saved, not at the top of the page.
    expect(page).to_have_url(f"{live_server.url}/#task-{task.pk}")
    expect(page.locator(f"#task-{task.pk}")).to_be_in_viewport()
    expect(page.locator("#overall-counter .overall-done")).to_have_attribute("data-done", "1")
    page.goto(f"{live_server.url}/days/1/")
    page.locator("#note-body").fill("no script needed")
    page.locator(".note-form button[type=submit]:not([name])").click()
    expect(page).to_have_url(re.compile(r"/days/1/#note$"))
    expect(page.locator("#note-preview")).to_have_text("no script needed")
