"""Today, the calendar and the progress page tell one story in Chromium, at 1280 px and 375 px: ticking from
the overdue list updates its count in place, a paused plan shows only its panel, a start before enrolling is
explained with a one-click (undoable) "start from today instead", and the heatmap bands fit a phone. No console
errors, no CSP violations, no axe-core violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ViewportSize, expect
from pytest_django.fixtures import Settings

from progress.models import Enrollment, ScheduleChange
from progress.zones import local_today
from tests.browser.conftest import VIEWPORTS, LoggedInPage, Watched
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_DAY = 127  # all seven weekdays: today is a study day whatever the real date is


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> ViewportSize:
    return VIEWPORTS[request.param]


@pytest.fixture
def watched(logged_in_page: LoggedInPage, alice: User, viewport: ViewportSize, settings: Settings) -> Iterator[Watched]:
    settings.LANGUAGE_CODE = "en"  # the assertions read the English source strings
    yield Watched(logged_in_page(alice, viewport=viewport, locale="en-US"))


def enroll(alice: User, days_ago: int, *, enrolled_before_start: bool) -> Enrollment:
    e = Enrollment(user=alice, plan=make_plan(days=30), study_weekdays=EVERY_DAY)
    e.start_date = local_today(e.time_zone) - timedelta(days=days_ago)
    e.save()
    if enrolled_before_start:  # began on paper long ago: no "started before you enrolled" offer
        Enrollment.objects.filter(pk=e.pk).update(created_at=e.created_at - timedelta(days=days_ago + 30))
    return e


def test_ticking_from_the_overdue_list_updates_its_count_in_place(watched: Watched, alice: User) -> None:
    enroll(alice, 14, enrolled_before_start=True)  # day 15 today; days 1-14 (56 tasks) overdue
    page = watched.page
    watched.open("/")
    heading = page.locator("#overdue-title")
    expect(heading).to_have_text("56 tasks overdue")
    expect(page.locator("#overall-counter")).to_contain_text("0 of 120 tasks done")
    watched.assert_clean()

    box = page.locator("section.overdue input[type=checkbox]").first
    box.check()
    expect(heading).to_have_text("55 tasks overdue")
    expect(page.locator("#overall-counter")).to_contain_text("1 of 120 tasks done")
    expect(page.locator("#summary-figures")).to_contain_text("(1/120)")
    expect(box).to_be_checked()  # the list stays, so a slip can be unticked
    box.uncheck()
    expect(heading).to_have_text("56 tasks overdue")
    expect(page.locator("#overall-counter")).to_contain_text("0 of 120 tasks done")
    # Today's own day counter still follows its own boxes.
    page.locator("section.today-day input[type=checkbox]").first.check()
    expect(page.locator("#day-15-counter")).to_have_text("1 of 4 tasks of this day done")
    expect(heading).to_have_text("56 tasks overdue")
    assert watched.errors == []
    page.reload()
    expect(heading).to_have_text("56 tasks overdue")
    expect(page.locator("#overall-counter")).to_contain_text("1 of 120 tasks done")


def test_a_paused_plan_shows_its_panel_and_nothing_due(watched: Watched, alice: User) -> None:
    e = enroll(alice, 10, enrolled_before_start=True)
    ScheduleChange.objects.create(enrollment=e, kind="pause", on_date=local_today(e.time_zone) - timedelta(days=3))
    page = watched.page
    watched.open("/")
    expect(page.locator("#paused-notice")).to_be_visible()
    expect(page.locator("#paused-title")).to_contain_text("Paused since")
    expect(page.locator("section.overdue")).to_have_count(0)
    expect(page.locator("#day-title, #review-title")).to_have_count(0)
    expect(page.locator("#overall-counter")).to_contain_text("Paused")
    watched.assert_clean()
    watched.open("/calendar/")
    expect(page.locator("td.is-today.kind-paused")).to_have_count(1)
    watched.assert_clean()

    watched.open("/")
    page.locator("#paused-notice").get_by_role("button").click()
    expect(page.locator("#paused-notice")).to_have_count(0)
    expect(page.locator("#day-title")).to_be_visible()  # the study day is back, and the backlog with it
    expect(page.locator("#overdue-title")).to_be_visible()
    watched.assert_clean()


def test_a_start_before_enrolling_offers_today_in_one_undoable_click(watched: Watched, alice: User) -> None:
    e = enroll(alice, 5, enrolled_before_start=False)  # enrolled now, start date five days ago
    page = watched.page
    watched.open("/")
    offer = page.locator("#late-start")
    expect(offer).to_contain_text("before you enrolled")
    expect(offer).to_contain_text("5 study days already count as behind")
    watched.assert_clean()

    offer.get_by_role("button", name="Start from today instead").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # back on Today
    expect(page.locator("#restarted")).to_contain_text("Day 1 is on")
    expect(page.locator("#behind-notice")).to_have_count(0)
    expect(page.locator("#overdue-title")).to_have_count(0)
    expect(page.locator("#day-title")).to_contain_text("Day 1")
    watched.assert_clean()
    assert ScheduleChange.objects.get(enrollment=e).kind == "shift"

    page.locator("#restarted").get_by_role("button").click()
    expect(page.locator("#late-start")).to_be_visible()
    expect(page.locator("#behind-notice")).to_be_visible()
    assert ScheduleChange.objects.get(enrollment=e).undone_at is not None


def test_the_heatmap_spans_the_plan_and_fits_the_screen(watched: Watched, alice: User, viewport) -> None:
    Enrollment.objects.create(
        user=alice, plan=make_plan(days=150), start_date=local_today("Asia/Shanghai") - timedelta(days=20)
    )
    page = watched.page
    watched.open("/progress/")
    bands = page.locator("svg.heatmap")
    assert bands.count() == 3  # 150 study days, Monday to Friday: 30 weeks, three bands of 13
    watched.assert_clean()
    card = page.locator("#heatmap-heading").locator("xpath=..").bounding_box()
    assert card is not None
    for i in range(bands.count()):
        band = bands.nth(i).bounding_box()
        assert band is not None
        assert card["x"] <= band["x"] and band["x"] + band["width"] <= card["x"] + card["width"] + 0.5
        # Squares big enough to see and tap at a glance, on a phone too.
        square = bands.nth(i).locator("rect").first.bounding_box()
        assert square is not None and square["width"] >= 10
        for label in bands.nth(i).locator("text").all():
            box = label.bounding_box()
            assert box is not None
            assert band["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= band["x"] + band["width"] + 0.5
    if viewport["width"] < 500:  # one band per row on a phone, as wide as the card allows
        boxes = [bands.nth(i).bounding_box() for i in range(bands.count())]
        assert len({round(b["y"]) for b in boxes if b}) == 3
