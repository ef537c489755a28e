"""Every change to a note is saved, in a real browser: a clipboard paste followed at once by a link or a closed
tab, text inserted without key events, IME composition (saved once composed, not before); the save time moves
on; no console errors (a CSP violation is one) and no axe-core violations on the day page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from progress.models import DayNote, Enrollment
from progress.zones import zone_or_fallback
from tests.browser.conftest import LoggedInPage
from tests.browser.notes.helpers import WAIT, day_note, draft_of, paste, wait_for_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    note = wait_for_note(learner, "Pasted from my notebook: **CLIP** aligns images and text")
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
    assert wait_for_note(learner, note.body + " and dropped text").version == 2

    # Pasted, and the tab closed at once with the cursor still in the note: sent on the way out (pagehide).
    paste(page, " -- and one more line")
    page.close(run_before_unload=True)
    assert wait_for_note(learner, note.body + " and dropped text -- and one more line").version == 3


def posted_body(post: str) -> str:
    """The note text of an autosave POST's form data."""
    return parse_qs(post)["body"][0]


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
    assert wait_for_note(learner, "你好").version == 1
    # The note's text alone: the form's random CSRF token may contain any pair of letters.
    assert [posted_body(post) for post in posts] == ["你好"]

    # The same through Chromium's own IME path (DevTools Input.imeSetComposition / insertText).
    cdp = page.context.new_cdp_session(page)
    area.press("End")
    cdp.send("Input.imeSetComposition", {"text": "shi", "selectionStart": 3, "selectionEnd": 3})
    page.wait_for_timeout(2500)
    assert len(posts) == 1
    cdp.send("Input.insertText", {"text": "世界"})
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    assert wait_for_note(learner, "你好世界").version == 2
    assert [posted_body(post) for post in posts] == ["你好", "你好世界"]


def test_saved_at_is_the_time_of_the_last_save(
    live_server: LiveServer, logged_in_page: LoggedInPage, learner: Enrollment, console_errors: Callable[[Page], Page]
) -> None:
    page = console_errors(logged_in_page(learner.user, locale="en-US"))
    page.goto("/days/1/")
    page.locator("#note-body").press_sequentially("first", delay=10)
    expect(page.locator("#note-version")).to_have_value("1", timeout=WAIT)
    first = wait_for_note(learner, "first")
    page.wait_for_timeout(1100)  # the clock shows seconds: the next save is at least one later
    page.locator("#note-body").press_sequentially(" and second", delay=10)
    expect(page.locator("#note-status")).to_have_attribute("data-state", "unsaved")
    expect(page.locator("#note-version")).to_have_value("2", timeout=WAIT)
    second = wait_for_note(learner, "first and second")
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
