"""Steps and checks the note editor's browser tests share."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect

from progress.models import DayNote, Enrollment

WAIT = 15_000  # ms: a save is a second after the last change; a retry after a failed one five seconds later


def day_note(learner: Enrollment) -> DayNote | None:
    return DayNote.objects.filter(enrollment=learner, day__number=1).first()


def draft_of(page: Page) -> dict[str, object] | None:
    key = page.locator("form[data-note-draft]").get_attribute("data-note-draft")
    raw = page.evaluate("key => localStorage.getItem(`note-draft:${key}`)", key)
    return json.loads(raw) if raw else None


def wait_for_note(learner: Enrollment, body: str) -> DayNote:
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


def go_offline_and_type(page: Page, text: str) -> None:
    page.context.set_offline(True)
    page.locator("#note-body").fill(text)
    status = page.locator("#note-status")
    expect(status).to_have_attribute("data-state", "offline", timeout=WAIT)
    expect(status).to_have_text(page.locator("#note-status").get_attribute("data-offline") or "")


def close_offline(page: Page) -> None:
    """Close the tab while offline, so that the save sent on leaving fails as well.

    Chromium may still run the tab's script for a moment after `close()` returns: a keepalive fetch, or the
    retry htmx sends through XMLHttpRequest when the context goes back online. Both are made to go nowhere
    (fetch fails as the network would, an XHR is never sent), so the draft is the only copy, every time.
    """
    page.evaluate(
        """() => {
            window.fetch = () => Promise.reject(new TypeError('offline'));
            XMLHttpRequest.prototype.send = function () {};
        }"""
    )
    page.close()
