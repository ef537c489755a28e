from __future__ import annotations

from functools import partial
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from curriculum.models import Day
from progress.models import DayNote, Enrollment
from progress.notes import MAX_NOTE_LENGTH, render_markdown, sanitise, save_note
from tests.concurrency import run_at_once
from tests.progress.helpers import START, tasks_of, tick

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

HTMX = {"HX-Request": "true"}


def day_of(enrollment: Enrollment, number: int) -> Day:
    return Day.objects.get(plan=enrollment.plan, number=number)


def test_the_day_page_has_the_note_editor(alice_client, enrollment) -> None:
    html = alice_client.get("/days/2/").content.decode()
    assert '<label for="note-body">' in html
    # Every way text arrives is saved: typing, paste, drop and autofill fire input or change; an IME
    # composition saves once composed (static/js/notes.js holds back a save in the middle of one).
    triggers = "input changed delay:1s, compositionend delay:1s, change, notesave"
    assert f'hx-post="/days/2/note/" hx-trigger="{triggers}"' in html
    assert 'src="/static/js/notes.js" defer' in html
    assert 'name="version" id="note-version" value="0"' in html
    assert '<button type="submit">' in html  # Save works without JavaScript


def test_it_creates_the_note_when_the_learner_types(alice_client, enrollment) -> None:
    response = alice_client.post("/days/2/note/", {"body": "Learned **CLIP**.", "version": "0"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    note = DayNote.objects.get(enrollment=enrollment, day__number=2)
    assert note.body == "Learned **CLIP**." and note.version == 1
    assert "Saved at" in html
    # The editor learns the new version and the rendered note is refreshed, out of band.
    assert 'id="note-version" value="1" hx-swap-oob="true"' in html
    assert "<strong>CLIP</strong>" in html


def test_it_saves_over_the_version_it_edited(alice_client, enrollment) -> None:
    DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 2), body="first", version=3)
    response = alice_client.post("/days/2/note/", {"body": "second", "version": "3"}, headers=HTMX)
    assert response.status_code == 200
    note = DayNote.objects.get(enrollment=enrollment, day__number=2)
    assert (note.body, note.version) == ("second", 4)


def test_an_older_version_is_refused_and_the_newer_text_shown(alice_client, enrollment) -> None:
    note = DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 2), body="from tab B", version=2)
    response = alice_client.post("/days/2/note/", {"body": "from tab A", "version": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved" in html
    assert "from tab B" in html  # the newer saved text is shown
    assert 'name="force_version" value="2"' in html
    assert 'id="note-version"' not in html  # the editor keeps the version it edited (and its own text)
    note.refresh_from_db()
    assert (note.body, note.version) == ("from tab B", 2)


def test_without_javascript_a_conflict_keeps_the_learners_text_in_the_editor(alice_client, enrollment) -> None:
    note = DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 2), body="from tab B", version=2)
    response = alice_client.post("/days/2/note/", {"body": "from tab A", "version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert html.count("<h1") == 1
    assert ">from tab A</textarea>" in html
    assert 'id="note-version" value="1"' in html
    assert "from tab B" in html and "Not saved" in html
    note.refresh_from_db()
    assert note.body == "from tab B"


def test_two_creations_of_the_same_note_do_not_both_win(enrollment) -> None:
    day = day_of(enrollment, 2)
    assert save_note(enrollment, day.pk, "tab A", 0).saved
    second = save_note(enrollment, day.pk, "tab B", 0)
    assert not second.saved and second.note is not None and second.note.body == "tab A"
    assert DayNote.objects.get(enrollment=enrollment, day=day).body == "tab A"


def test_the_learner_can_replace_the_newer_note_with_their_text(alice_client, enrollment) -> None:
    DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 2), body="from tab B", version=2)
    response = alice_client.post(
        "/days/2/note/", {"body": "from tab A", "version": "1", "force_version": "2"}, headers=HTMX
    )
    assert 'id="note-version" value="3"' in response.content.decode()
    note = DayNote.objects.get(enrollment=enrollment, day__number=2)
    assert (note.body, note.version) == ("from tab A", 3)


def test_the_save_button_posts_and_redirects_to_the_note(alice_client, enrollment) -> None:
    response = alice_client.post("/days/3/note/", {"body": "plain form", "version": "0"})
    assert response.status_code == 302 and response["Location"] == "/days/3/#note"
    html = alice_client.get("/days/3/").content.decode()
    assert ">plain form</textarea>" in html and 'id="note-version" value="1"' in html
    assert "<p>plain form</p>" in html


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_bad_version_is_refused_without_change(alice_client, enrollment, version: str) -> None:
    response = alice_client.post("/days/2/note/", {"body": "x", "version": version})
    assert response.status_code == 400
    assert "could not be saved" in response.content.decode()
    assert not DayNote.objects.exists()


def test_a_too_long_note_is_refused_without_change(alice_client, enrollment) -> None:
    response = alice_client.post("/days/2/note/", {"body": "x" * (MAX_NOTE_LENGTH + 1), "version": "0"}, headers=HTMX)
    assert response.status_code == 200 and "too long" in response.content.decode()
    assert not DayNote.objects.exists()


def test_it_refuses_a_note_with_a_nul_character(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:note_save", args=[1]), {"body": "before\x00after", "version": "0"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    # The learner's text is kept in the editor (minus nothing: they can remove the character themselves).
    assert "before" in response.content.decode()
    assert not DayNote.objects.exists()


def test_it_refuses_a_note_with_a_nul_character_over_htmx(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(
        reverse("progress:note_save", args=[1]), {"body": "x\x00", "version": "0"}, headers=HTMX
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers; the message is in the body
    assert "Null characters are not allowed." in response.content.decode()
    assert not DayNote.objects.exists()


def test_it_keeps_the_stored_note_when_an_edit_has_a_nul_character(
    alice_client: Client, enrollment: Enrollment
) -> None:
    alice_client.post(reverse("progress:note_save", args=[1]), {"body": "first", "version": "0"})

    alice_client.post(reverse("progress:note_save", args=[1]), {"body": "second\x00", "version": "1"})

    note = DayNote.objects.get()
    assert (note.body, note.version) == ("first", 1)


def test_a_note_for_an_unknown_day_is_404(alice_client, enrollment) -> None:
    assert alice_client.post("/days/99/note/", {"body": "x", "version": "0"}).status_code == 404
    assert not DayNote.objects.exists()


def test_saving_a_note_needs_post(alice_client, enrollment) -> None:
    assert alice_client.get("/days/2/note/").status_code == 405


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


ACTIVE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<a href="https://ok.example" hx-get="/admin/" onclick="y">q</a>',
    "[x](data:text/html,hi)",
    "[x](/relative)",
    '<iframe src="https://evil.example"></iframe><style>body{}</style>',
]


def check_inert(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag not in {"script", "img", "iframe", "style"}, html
        assert set(attrs) <= {"href", "title", "rel", "start", "align"}, html
        href = attrs.get("href")
        assert href is None or href.startswith(("http://", "https://", "mailto:")), html


@pytest.mark.parametrize("source", ACTIVE)
def test_rendering_drops_anything_active(source: str) -> None:
    check_inert(render_markdown(source))


@pytest.mark.parametrize("source", ACTIVE)
def test_the_sanitiser_drops_active_html_even_if_markdown_passed_it(source: str) -> None:
    # Markdown is rendered with raw HTML off; nh3 is the second wall, so feed it raw HTML directly.
    html = sanitise(source)
    check_inert(html)
    assert "alert(1)</script>" not in html


def test_rendering_keeps_safe_links_with_rel() -> None:
    html = render_markdown("[a](https://example.com) [m](mailto:x@example.com) [h](http://example.com)")
    assert html.count('rel="noopener noreferrer"') == 3
    assert 'href="https://example.com"' in html and 'href="mailto:x@example.com"' in html


def test_note_headings_stay_below_the_pages_own() -> None:
    html = render_markdown("# Title\n\n## Sub")
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Title</h3>" in html and "<h4>Sub</h4>" in html


def test_export_has_day_headings_ticked_tasks_and_notes(alice_client, enrollment, plan) -> None:
    DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 3), body="Day three thoughts")
    DayNote.objects.create(enrollment=enrollment, day=day_of(enrollment, 1), body="First day")
    done = tasks_of(plan, 3)[0]
    tick(enrollment, done)
    response = alice_client.get("/notes/export.md")
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="notes-test-plan.md"'
    assert text.startswith("# Plan test-plan\n")
    assert text.index("## ") < text.index("First day") < text.index(f"- [x] {done.text}") < text.index("Day three")
    assert tasks_of(plan, 3)[1].text not in text  # only ticked tasks
    assert text.count("## ") == 2


def test_a_saved_note_is_shown_sanitised_on_the_day_page(alice_client, enrollment) -> None:
    body = "Hello <script>alert(1)</script> [bad](javascript:alert(2)) [good](https://example.com)"
    alice_client.post("/days/2/note/", {"body": body, "version": "0"})
    html = alice_client.get("/days/2/").content.decode()
    preview = html.split('id="note-preview"')[1].split("</div>")[0]
    check_inert(preview)
    assert 'href="https://example.com" rel="noopener noreferrer"' in preview


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_version_let_exactly_one_win(postgres: None, alice, plan) -> None:
    enrollment = Enrollment.objects.create(user=alice, plan=plan, start_date=START)
    day = day_of(enrollment, 2)
    DayNote.objects.create(enrollment=enrollment, day=day, body="start", version=1)

    results = run_at_once(
        *(partial(lambda text: save_note(enrollment, day.pk, text, 1).saved, f"tab {i}") for i in range(4))
    )

    assert sorted(results) == [False, False, False, True]
    note = DayNote.objects.get(enrollment=enrollment, day=day)
    assert note.version == 2 and note.body.startswith("tab ")
