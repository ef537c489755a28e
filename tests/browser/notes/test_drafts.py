"""A save that failed offline is retried and its text kept on the device; on the next visit an unsaved draft is
offered back, never applied by itself: restored (through the conflict flow when another tab saved since) or
discarded. No console errors (a CSP violation is one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from progress.models import DayNote, Enrollment
from tests.browser.conftest import LoggedInPage
from tests.browser.notes.helpers import WAIT, close_offline, day_note, draft_of, go_offline_and_type, wait_for_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offline_the_text_is_kept_and_saved_once_back(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment
) -> None:
    page = logged_in_page(learner.user)
    page.goto("/days/1/")
    go_offline_and_type(page, "written on a train")
    assert day_note(learner) is None
    draft = draft_of(page)
    assert draft is not None and draft["body"] == "written on a train" and draft["version"] == 0

    page.context.set_offline(False)  # the editor keeps trying: the text is saved without the learner doing anything
    expect(page.locator("#note-version")).to_have_value("1", timeout=WAIT)
    expect(page.locator("#note-status")).not_to_have_attribute("data-state", "offline")
    assert wait_for_note(learner, "written on a train").version == 1
    assert draft_of(page) is None


def test_an_unsaved_draft_is_offered_back_and_can_be_restored(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    first = logged_in_page(learner.user)
    first.goto("/days/1/")
    go_offline_and_type(first, "never reached the server")
    close_offline(first)  # the tab is closed while offline: nothing reached the server
    assert day_note(learner) is None

    first.context.set_offline(False)
    page = console_errors(first.context.new_page())
    page.goto("/days/1/")
    offer = page.locator("#note-draft")
    expect(offer).to_be_visible()
    expect(offer.locator("pre")).to_have_text("never reached the server")
    expect(page.locator("#note-body")).to_have_value("")  # offered, never applied by itself
    page.wait_for_timeout(1500)
    assert day_note(learner) is None

    offer.locator("button[data-draft=restore]").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#note-body")).to_have_value("never reached the server")
    expect(page.locator("#note-version")).to_have_value("1", timeout=WAIT)
    assert wait_for_note(learner, "never reached the server").version == 1
    assert draft_of(page) is None


def test_an_unsaved_draft_can_be_discarded(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    DayNote.objects.create(enrollment=learner, day=learner.plan.days.get(number=1), body="saved before", version=1)
    first = logged_in_page(learner.user)
    first.goto("/days/1/")
    go_offline_and_type(first, "saved before, then a thought I drop")
    close_offline(first)
    first.context.set_offline(False)

    page = console_errors(first.context.new_page())
    page.goto("/days/1/")
    offer = page.locator("#note-draft")
    expect(offer.locator("pre")).to_have_text("saved before, then a thought I drop")
    offer.locator("button[data-draft=discard]").click()
    expect(offer).to_be_hidden()
    assert draft_of(page) is None
    page.reload()
    expect(page.locator("#note-draft")).to_be_hidden()
    expect(page.locator("#note-body")).to_have_value("saved before")
    note = day_note(learner)
    assert note is not None and (note.body, note.version) == ("saved before", 1)


def test_a_restored_draft_older_than_another_tabs_save_goes_through_the_conflict_flow(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    """The draft was written over version 0 while another tab saved version 1: restoring it does not
    overwrite that save silently; the learner sees both and chooses."""
    stale = logged_in_page(learner.user)
    stale.goto("/days/1/")  # opened before the other tab saves: it edits version 0
    other = stale.context.new_page()
    other.goto("/days/1/")
    other.locator("#note-body").fill("from the other tab")
    expect(other.locator("#note-version")).to_have_value("1", timeout=WAIT)
    other.close()
    go_offline_and_type(stale, "from the stale tab")
    close_offline(stale)
    stale.context.set_offline(False)

    page = console_errors(stale.context.new_page())
    page.goto("/days/1/")
    expect(page.locator("#note-body")).to_have_value("from the other tab")
    page.locator("#note-draft button[data-draft=restore]").click()
    expect(page.locator("#note-conflict .note-newer")).to_contain_text("from the other tab", timeout=WAIT)
    expect(page.locator("#note-body")).to_have_value("from the stale tab")
    assert wait_for_note(learner, "from the other tab").version == 1
    assert draft_of(page) is not None  # not confirmed: still kept

    page.locator("#note-conflict button[name=force_version]").click()
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    expect(page.locator("#note-conflict")).to_be_empty()
    assert wait_for_note(learner, "from the stale tab").version == 2
    assert draft_of(page) is None
