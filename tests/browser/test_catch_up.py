"""The catch-up flow in a real browser: a learner well behind sees the previews, accepts one, sees the result."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from progress.models import Enrollment, ScheduleChange
from progress.services import overview
from progress.zones import local_today
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_learner_behind_accepts_a_catch_up_in_two_clicks(logged_in_page: LoggedInPage, alice: User) -> None:
    # Started three weeks ago (in the learner's own time zone) and ticked nothing: well over 5 days behind.
    enrollment = Enrollment(user=alice, plan=make_plan(days=30))
    enrollment.start_date = local_today(enrollment.time_zone) - timedelta(days=21)
    enrollment.save()
    assert overview(enrollment, local_today(enrollment.time_zone)).days_behind >= 5

    page = logged_in_page(alice, locale="en-US")
    page.goto("/")
    # Click one: Today's "behind" notice leads to the choices.
    page.locator("#behind-notice").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/reschedule/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".notice.behind")).to_be_visible()

    catch_up = page.locator("#choice-catch_up")
    shift = page.locator("#choice-shift")
    expect(shift.locator(".finish")).to_be_visible()
    preview = catch_up.locator(".finish").inner_text()
    assert preview and preview != shift.locator(".finish").inner_text()

    # Click two: accept the catch-up and its new finish date.
    catch_up.get_by_role("button").click()

    expect(page.locator(".messages")).to_contain_text(preview)
    expect(page.locator(".notice")).to_contain_text(preview)  # "You are on track. Your plan finishes on ..."
    change = ScheduleChange.objects.get(enrollment=enrollment)
    assert change.kind == "catch_up" and change.undone_at is None

    # And the undo is one more click away.
    page.locator("form.undo").get_by_role("button").click()
    expect(page.locator("#choice-catch_up")).to_be_visible()
    change.refresh_from_db()
    assert change.undone_at is not None
