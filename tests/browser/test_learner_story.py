"""One learner's whole story in Chromium, at 1280 px and 375 px: a note pasted and left at once is there after a
reload; pausing from the settings page leaves Today with only its panel, and resuming brings the backlog back;
ticking from Today's overdue list moves its count and the counters in place; a new reminder time is echoed
with the next reminder's date; the calendar feed link from the settings page serves the plan's events. No
console error or CSP violation anywhere, no axe-core violation on Today and the settings page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import formats, translation
from icalendar import Calendar
from playwright.sync_api import ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from progress.models import Enrollment, ScheduleChange
from progress.zones import local_today
from tests.browser.conftest import VIEWPORTS, LoggedInPage, Watched
from tests.browser.notes.helpers import paste, wait_for_note
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_DAY = 127  # all seven weekdays: today is a study day whatever the real date is
DAYS_AGO = 14  # plan day 15 today; days 1-14, four tasks each, overdue
# Zones about eight hours apart: one of them is always in its morning (see daytime_zone).
ZONES = ("Asia/Shanghai", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "America/Los_Angeles")
NOTE = "Pasted from my notebook: **CLIP** aligns images and text"


def daytime_zone() -> str:
    """A zone where it is between 06:00 and 14:00 now, so a reminder three hours ahead is later today."""
    return next(z for z in ZONES if 6 <= datetime.now(ZoneInfo(z)).hour < 14)


@pytest.fixture
def learner(alice: User, settings: Settings, live_server: LiveServer) -> Enrollment:
    settings.LANGUAGE_CODE = "en"  # the assertions read the English source strings
    settings.SITE_URL = live_server.url  # absolute links (the feed) lead to this server
    e = Enrollment(user=alice, plan=make_plan(slug="story", days=30), study_weekdays=EVERY_DAY)
    e.time_zone = daytime_zone()
    e.start_date = local_today(e.time_zone) - timedelta(days=DAYS_AGO)
    e.save()
    # Began on paper long ago, so Today shows the plain backlog rather than the late-start offer.
    Enrollment.objects.filter(pk=e.pk).update(created_at=e.created_at - timedelta(days=DAYS_AGO + 30))
    return e


@pytest.fixture(params=list(VIEWPORTS))
def watched(request: pytest.FixtureRequest, logged_in_page: LoggedInPage, learner: Enrollment) -> Watched:
    viewport: ViewportSize = VIEWPORTS[request.param]
    return Watched(
        logged_in_page(
            learner.user,
            viewport=viewport,
            locale="en-US",
            timezone_id=learner.time_zone,
            permissions=["clipboard-read", "clipboard-write"],
        )
    )


def english_date(d: date, fmt: str) -> str:
    with translation.override("en"):
        return formats.date_format(d, fmt)


def test_one_learners_story(watched: Watched, learner: Enrollment, live_server: LiveServer) -> None:
    page = watched.page

    # 1. A note pasted on a day page, and a nav link clicked within the autosave's debounce: nothing is lost.
    watched.open("/days/1/")
    paste(page, NOTE)
    expect(page.locator("#note-status")).to_have_attribute("data-state", "unsaved")
    page.locator("nav.site-nav").get_by_role("link", name="Today", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    assert wait_for_note(learner, NOTE).version == 1
    watched.open("/days/1/")
    expect(page.locator("#note-body")).to_have_value(NOTE)
    expect(page.locator("#note-preview strong")).to_have_text("CLIP")

    # 2. Behind, then paused from the settings page: Today shows the panel and nothing due; resuming today
    # brings the same backlog back.
    watched.open("/")
    overdue = page.locator("#overdue-title")
    expect(overdue).to_have_text("56 tasks overdue")
    expect(page.locator("#behind-notice")).to_contain_text(f"You are {DAYS_AGO} days behind.")
    watched.assert_clean()
    watched.open("/settings/")
    page.locator("#pause").get_by_role("button", name="Pause the plan").click()
    expect(page.locator("#pause").get_by_role("button", name="Resume the plan")).to_be_visible()
    assert ScheduleChange.objects.get(enrollment=learner).kind == ScheduleChange.Kind.PAUSE
    watched.open("/")
    expect(page.locator("#paused-title")).to_contain_text("Paused since")
    expect(page.locator("section.overdue")).to_have_count(0)
    expect(page.locator("#behind-notice")).to_have_count(0)
    expect(page.locator("#overall-counter .overall-behind")).to_have_count(0)
    expect(page.locator("#overall-counter")).to_contain_text("Paused")
    expect(page.locator("#day-title, #review-title")).to_have_count(0)
    watched.assert_clean()
    page.locator("#paused-notice").get_by_role("button", name="Resume the plan").click()
    expect(page.locator("#paused-notice")).to_have_count(0)
    expect(overdue).to_have_text("56 tasks overdue")
    expect(page.locator("#day-title")).to_contain_text("Day 15")

    # 3. Day 1's four tasks ticked from the overdue list: its count, the header's counter, the figures and
    # the behind notice follow without a reload.
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    behind = page.locator("#behind-notice")
    expect(behind).to_contain_text(f"You are {DAYS_AGO} days behind.")
    day_one = learner.plan.days.get(number=1)
    texts = [t.text for s in day_one.sessions.order_by("position") for t in s.tasks.order_by("position")]
    for done, text in enumerate(texts, start=1):
        page.locator("section.overdue").get_by_label(text, exact=True).check()
        expect(overdue).to_have_text(f"{56 - done} tasks overdue")
        expect(page.locator("#overall-counter")).to_contain_text(f"{done} of 120 tasks done (")
        expect(page.locator("#summary-figures")).to_contain_text(f"({done}/120)")
    expect(behind).to_contain_text(f"You are {DAYS_AGO - 1} days behind.")
    assert page.evaluate("window.__sameDocument === true")
    assert learner.completions.count() == 4
    watched.assert_clean()

    # 4. A new reminder time: the settings page says when the next reminder comes.
    watched.open("/settings/")
    watched.assert_clean()
    local = datetime.now(ZoneInfo(learner.time_zone)) + timedelta(hours=3)
    at = local.strftime("%H:%M")
    page.locator("input[name=reminder_time]").fill(at)
    page.locator("form.form").get_by_role("button", name="Save settings").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    learner.refresh_from_db()
    assert learner.reminder_time.strftime("%H:%M") == at
    day, on = english_date(local.date(), "l"), english_date(local.date(), "DATE_FORMAT")
    expect(page.locator("#next-reminder")).to_have_text(f"Next reminder: {day}, {on} at {at} ({learner.time_zone}).")
    watched.assert_clean()

    # 5. The feed link: the http(s) URL the settings page shows serves the plan's sessions as text/calendar.
    url = page.locator("#calendar-feed-url").input_value()
    assert url == f"{live_server.url}/calendar/{learner.calendar_token}.ics"
    webcal = page.locator("#calendar-feed").get_by_role("link", name="Subscribe in your calendar app")
    expect(webcal).to_have_attribute("href", url.replace("http://", "webcal://", 1))
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(response.body())
    assert str(feed["X-WR-CALNAME"]) == learner.plan.title
    events = {(e.decoded("dtstart").date(), str(e["summary"]), str(e["url"])) for e in feed.walk("VEVENT")}
    today = local_today(learner.time_zone)
    day_15 = f"{live_server.url}/days/15/"
    assert (today, "Day 15 · Morning: Topic 15m", day_15) in events
    assert (today, "Day 15 · Afternoon: Topic 15a", day_15) in events
    assert watched.errors == []
    assert page.evaluate("window.__csp") == []
