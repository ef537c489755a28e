"""A note is never lost, in a real browser: pasted and composed (IME) text is saved, leaving the page at once
sends it, a save that failed offline is retried and its text kept on the device and offered back on the next
visit (restore or discard), the save time moves on, and the two-tab conflict flow still holds. No console
errors (a CSP violation is one) and no axe-core violations on the day page."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from progress.models import DayNote, Enrollment
from progress.zones import local_today, zone_or_fallback
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_DAY = 0b1111111
WAIT = 15_000  # ms: a save is a second after the last change; a retry after a failed one five seconds later


@pytest.fixture
def learner(alice: User) -> Enrollment:
    enrollment = Enrollment(user=alice, plan=make_plan(slug="notes", days=5), start_date=date.today())
    enrollment.study_weekdays = EVERY_DAY
    enrollment.start_date = local_today(enrollment.time_zone)
    enrollment.save()
    return enrollment


@pytest.fixture
def console_errors() -> Iterator[Callable[[Page], Page]]:
    """Watch pages for console errors and uncaught exceptions; the test fails if any page had one.

    Chromium reports every Content-Security-Policy violation as a console error ("Refused to ...").
    """
    errors: list[str] = []

    def watch(page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield watch
    assert not errors, errors


def day_note(learner: Enrollment) -> DayNote | None:
    return DayNote.objects.filter(enrollment=learner, day__number=1).first()


def draft_of(page: Page) -> dict[str, object] | None:
    key = page.locator("form[data-note-draft]").get_attribute("data-note-draft")
    raw = page.evaluate("key => localStorage.getItem(`note-draft:${key}`)", key)
    return json.loads(raw) if raw else None


def wait_for_note(page: Page, learner: Enrollment, body: str) -> DayNote:
    """The database holds `body` (a save sent while leaving arrives in its own time)."""
    for _ in range(60):
        note = day_note(learner)
        if note is not None and note.body == body:
            return note
        time.sleep(0.25)  # a closed page cannot wait
    raise AssertionError(f"not saved: {day_note(learner)!r}")


def paste(page: Page, text: str) -> None:
    """A real paste from the clipboard: no key of the text is typed, so no keyup carries it."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator("#note-body").focus()
    page.locator("#note-body").press("End")
    page.keyboard.press("ControlOrMeta+V")


def test_pasted_text_is_saved_when_the_learner_leaves_at_once(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    page = console_errors(logged_in_page(learner.user, permissions=["clipboard-read", "clipboard-write"]))
    page.goto("/days/1/")
    paste(page, "Pasted from my notebook: **CLIP** aligns images and text")
    expect(page.locator("#note-body")).to_have_value("Pasted from my notebook: **CLIP** aligns images and text")
    expect(page.locator("#note-status")).to_have_attribute("data-state", "unsaved")
    # Within the one-second debounce the learner follows a link to the next day.
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/days/2/")
    note = wait_for_note(page, learner, "Pasted from my notebook: **CLIP** aligns images and text")
    assert note.version == 1

    page.goto("/days/1/")
    expect(page.locator("#note-body")).to_have_value(note.body)
    expect(page.locator("#note-preview strong")).to_have_text("CLIP")
    expect(page.locator("#note-draft")).to_be_hidden()  # the text left with the learner is the saved one
    assert draft_of(page) is None

    # Text inserted without any key event (drag-and-drop, autofill, the context menu's paste) saves as well.
    page.locator("#note-body").press("End")
    page.keyboard.insert_text(" and dropped text")
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    assert wait_for_note(page, learner, note.body + " and dropped text").version == 2

    # Pasted, and the tab closed at once with the cursor still in the note: sent on the way out (pagehide).
    paste(page, " -- and one more line")
    page.close(run_before_unload=True)
    assert wait_for_note(page, learner, note.body + " and dropped text -- and one more line").version == 3


def test_ime_composition_is_saved_once_composed_and_not_before(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    page = console_errors(logged_in_page(learner.user))
    page.goto("/days/1/")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.post_data or "") if request.method == "POST" else None)
    page.locator("#note-body").focus()

    # A Chinese input method: pinyin is composed in the field (compositionstart, compositionupdate and input
    # events with isComposing), then committed as characters (compositionend).
    area = page.locator("#note-body")
    area.dispatch_event("compositionstart", {"data": ""})
    for typed in ("n", "ni", "ni'h", "ni'hao"):
        area.evaluate("(el, text) => { el.value = text; }", typed)
        area.dispatch_event("compositionupdate", {"data": typed})
        area.evaluate(
            "(el, text) => el.dispatchEvent(new InputEvent('input', "
            "{bubbles: true, data: text, inputType: 'insertCompositionText', isComposing: true}))",
            typed,
        )
    page.wait_for_timeout(2500)  # longer than the debounce: a save now would store unfinished pinyin
    assert posts == []
    assert day_note(learner) is None

    area.evaluate("el => { el.value = '你好'; }")
    area.evaluate(
        "el => el.dispatchEvent(new InputEvent('input', "
        "{bubbles: true, data: '你好', inputType: 'insertCompositionText', isComposing: true}))"
    )
    area.dispatch_event("compositionend", {"data": "你好"})
    expect(page.locator("#note-version")).to_have_value("1", timeout=WAIT)
    assert wait_for_note(page, learner, "你好").version == 1
    assert len(posts) == 1 and "ni" not in posts[0]

    # The same through Chromium's own IME path (DevTools Input.imeSetComposition / insertText).
    cdp = page.context.new_cdp_session(page)
    area.press("End")
    cdp.send("Input.imeSetComposition", {"text": "shi", "selectionStart": 3, "selectionEnd": 3})
    page.wait_for_timeout(2500)
    assert len(posts) == 1
    cdp.send("Input.insertText", {"text": "世界"})
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    assert wait_for_note(page, learner, "你好世界").version == 2
    assert not any("shi" in post for post in posts)


def go_offline_and_type(page: Page, text: str) -> None:
    page.context.set_offline(True)
    page.locator("#note-body").fill(text)
    status = page.locator("#note-status")
    expect(status).to_have_attribute("data-state", "offline", timeout=WAIT)
    expect(status).to_have_text(page.locator("#note-status").get_attribute("data-offline") or "")


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
    assert wait_for_note(page, learner, "written on a train").version == 1
    assert draft_of(page) is None


def test_an_unsaved_draft_is_offered_back_and_can_be_restored(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    first = logged_in_page(learner.user)
    first.goto("/days/1/")
    go_offline_and_type(first, "never reached the server")
    first.close()  # the tab is closed while offline: the keepalive save cannot go either
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
    assert wait_for_note(page, learner, "never reached the server").version == 1
    assert draft_of(page) is None


def test_an_unsaved_draft_can_be_discarded(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    DayNote.objects.create(enrollment=learner, day=learner.plan.days.get(number=1), body="saved before", version=1)
    first = logged_in_page(learner.user)
    first.goto("/days/1/")
    go_offline_and_type(first, "saved before, then a thought I drop")
    first.close()
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
    stale.close()
    stale.context.set_offline(False)

    page = console_errors(stale.context.new_page())
    page.goto("/days/1/")
    expect(page.locator("#note-body")).to_have_value("from the other tab")
    page.locator("#note-draft button[data-draft=restore]").click()
    expect(page.locator("#note-conflict .note-newer")).to_contain_text("from the other tab", timeout=WAIT)
    expect(page.locator("#note-body")).to_have_value("from the stale tab")
    assert wait_for_note(page, learner, "from the other tab").version == 1
    assert draft_of(page) is not None  # not confirmed: still kept

    page.locator("#note-conflict button[name=force_version]").click()
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    expect(page.locator("#note-conflict")).to_be_empty()
    assert wait_for_note(page, learner, "from the stale tab").version == 2
    assert draft_of(page) is None


def test_saved_at_is_the_time_of_the_last_save(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    page = console_errors(logged_in_page(learner.user, locale="en-US"))
    page.goto("/days/1/")
    page.locator("#note-body").press_sequentially("first", delay=10)
    expect(page.locator("#note-version")).to_have_value("1", timeout=WAIT)
    first = wait_for_note(page, learner, "first")
    page.wait_for_timeout(1100)  # the clock shows seconds: the next save is at least one later
    page.locator("#note-body").press_sequentially(" and second", delay=10)
    expect(page.locator("#note-status")).to_have_attribute("data-state", "unsaved")
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    second = wait_for_note(page, learner, "first and second")
    assert second.updated_at > first.updated_at

    shown = second.updated_at.astimezone(zone_or_fallback(learner.time_zone)).strftime("%H:%M:%S")
    expect(page.locator("#note-status")).to_contain_text(shown)
    expect(page.locator("#note-status")).not_to_have_attribute("data-state", "unsaved")
    page.reload()
    expect(page.locator("#note-status")).to_contain_text(shown)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_day_page_with_its_note_editor_has_no_axe_violations(
    live_server: LiveServer,
    logged_in_page: LoggedInPage,
    learner: Enrollment,
    console_errors: Callable[[Page], Page],
    locale: str,
) -> None:
    DayNote.objects.create(enrollment=learner, day=learner.plan.days.get(number=1), body="# Seen\n\n*saved*", version=1)
    page = console_errors(logged_in_page(learner.user, locale=locale))
    page.goto("/days/1/")
    key = page.locator("form[data-note-draft]").get_attribute("data-note-draft")
    page.evaluate(
        "([key, body]) => localStorage.setItem("
        "`note-draft:${key}`, JSON.stringify({body, version: 1, time: Date.now()}))",
        [key, "an unsaved line\n" * 30],
    )
    page.reload()
    expect(page.locator("#note-draft")).to_be_visible()  # checked with the draft offer showing too
    page.locator("#note-body").press("End")
    page.keyboard.insert_text(" more")
    expect(page.locator("#note-status")).to_have_attribute("data-state", "unsaved")
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    # A screen reader tells the two apart: the preview is a region named by its caption, the textarea's name
    # says it is the editor.
    caption = page.locator("#note-preview-label").inner_text()
    expect(page.get_by_role("region", name=caption)).to_have_attribute("id", "note-preview")
    editor = page.get_by_role("textbox", name=page.locator("label[for=note-body]").inner_text())
    expect(editor).to_have_attribute("id", "note-body")
    assert caption != page.locator("label[for=note-body]").inner_text()
