"""Saving day, week and resource notes: the save time is the real one, the answer says when text was stored,
and the save that static/js/notes.js sends on leaving the page (fetch keepalive: the form's fields with the
CSRF token in the body, no CSRF header) is checked like any other: token, owner, version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from time_machine import TimeMachineFixture

from curriculum.models import Day, Plan, Resource, Week
from progress.models import DayNote, Enrollment, ResourceProgress, WeekNote
from tests.factories import make_plan
from tests.progress.helpers import START

pytestmark = pytest.mark.usefixtures("english_ui")

HTMX = {"HX-Request": "true"}
SAVED = "X-Note-Saved"


def resource_of(plan: Plan) -> Resource:
    return plan.resource_sections.get().items.get()


def note_urls(plan: Plan) -> dict[str, str]:
    return {"day": "/days/2/note/", "week": "/review/1/note/", "resource": f"/resources/{resource_of(plan).pk}/note/"}


def stored(enrollment: Enrollment, kind: str) -> DayNote | WeekNote | ResourceProgress | None:
    if kind == "day":
        return DayNote.objects.filter(enrollment=enrollment, day__number=2).first()
    if kind == "week":
        return WeekNote.objects.filter(enrollment=enrollment, week__number=1).first()
    return ResourceProgress.objects.filter(enrollment=enrollment).first()


def make_note(enrollment: Enrollment, kind: str, body: str, version: int) -> None:
    plan, fields = enrollment.plan, {"enrollment": enrollment, "body": body, "version": version}
    if kind == "day":
        DayNote.objects.create(day=Day.objects.get(plan=plan, number=2), **fields)
    elif kind == "week":
        WeekNote.objects.create(week=Week.objects.get(plan=plan, number=1), **fields)
    else:
        ResourceProgress.objects.create(resource=resource_of(plan), **fields)


KINDS = ["day", "week", "resource"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_save_moves_the_save_time_on(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture, kind: str
) -> None:
    url = note_urls(enrollment.plan)[kind]
    time_machine.move_to(datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC), tick=False)
    alice_client.post(url, {"body": "first", "version": "0"}, headers=HTMX)
    time_machine.move_to(datetime(2026, 3, 2, 1, 7, 30, tzinfo=UTC), tick=False)
    response = alice_client.post(url, {"body": "second", "version": "1"}, headers=HTMX)

    note = stored(enrollment, kind)
    assert note is not None and (note.body, note.version) == ("second", 2)
    assert note.updated_at == datetime(2026, 3, 2, 1, 7, 30, tzinfo=UTC)
    # The status line shows this save's time in the learner's zone (Shanghai, UTC+8), not the first save's.
    assert "Saved at 09:07:30." in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_only_a_stored_text_is_confirmed(alice_client: Client, enrollment: Enrollment, kind: str) -> None:
    """The editor's script drops its local draft on the X-Note-Saved header: never on a conflict or refusal."""
    url = note_urls(enrollment.plan)[kind]
    saved = alice_client.post(url, {"body": "mine", "version": "0"}, headers=HTMX)
    assert saved[SAVED] == "1"
    conflict = alice_client.post(url, {"body": "stale tab", "version": "0"}, headers=HTMX)
    assert conflict.status_code == 200 and SAVED not in conflict
    assert "Not saved" in conflict.content.decode()
    refused = alice_client.post(url, {"body": "x", "version": "abc"}, headers=HTMX)
    assert refused.status_code == 200 and SAVED not in refused
    note = stored(enrollment, kind)
    assert note is not None and (note.body, note.version) == ("mine", 1)


# --- the save sent on leaving the page ---------------------------------------------------------------------


@pytest.fixture
def csrf_client(alice: User, enrollment: Enrollment) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def body_token(client: Client, page: str) -> str:
    """The CSRF token of the note form, which the keepalive save sends among the form's fields."""
    html = client.get(page).content.decode()
    form = html[html.index("data-note-draft") :]
    return form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def pages(plan: Plan) -> dict[str, str]:
    return {"day": "/days/2/", "week": "/review/1/", "resource": f"/resources/{resource_of(plan).pk}/"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_keepalive_save_with_the_token_in_its_body_is_stored(
    csrf_client: Client, enrollment: Enrollment, kind: str
) -> None:
    token = body_token(csrf_client, pages(enrollment.plan)[kind])
    form = {"csrfmiddlewaretoken": token, "body": "sent while leaving", "version": "0"}
    response = csrf_client.post(note_urls(enrollment.plan)[kind], form, headers=HTMX)
    assert response.status_code == 200 and response[SAVED] == "1"
    note = stored(enrollment, kind)
    assert note is not None and note.body == "sent while leaving"


@pytest.mark.parametrize("kind", KINDS)
def test_a_keepalive_save_without_the_token_is_refused(csrf_client: Client, enrollment: Enrollment, kind: str) -> None:
    make_note(enrollment, kind, "kept", 1)
    response = csrf_client.post(note_urls(enrollment.plan)[kind], {"body": "forged", "version": "1"}, headers=HTMX)
    assert response.status_code == 403
    note = stored(enrollment, kind)
    assert note is not None and (note.body, note.version) == ("kept", 1)


@pytest.mark.parametrize("kind", KINDS)
def test_a_keepalive_save_over_an_older_version_is_refused(
    csrf_client: Client, enrollment: Enrollment, kind: str
) -> None:
    """Sent on leaving, over the version the page had, while another tab had saved since: refused."""
    make_note(enrollment, kind, "from the other tab", 3)
    token = body_token(csrf_client, pages(enrollment.plan)[kind])
    form = {"csrfmiddlewaretoken": token, "body": "from this tab", "version": "2"}
    response = csrf_client.post(note_urls(enrollment.plan)[kind], form, headers=HTMX)
    assert response.status_code == 200 and SAVED not in response
    note = stored(enrollment, kind)
    assert note is not None and (note.body, note.version) == ("from the other tab", 3)


def test_a_keepalive_save_reaches_only_ones_own_notes(
    csrf_client: Client, enrollment: Enrollment, bob: User, plan: Plan
) -> None:
    """Bob's token is valid, his session too: a note of alice's plan is still not his to write (404)."""
    make_note(enrollment, "resource", "alice's", 1)
    make_note(enrollment, "week", "alice's", 1)
    bobs = Enrollment.objects.create(user=bob, plan=make_plan(slug="bobs", days=3), start_date=START)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    token = body_token(client, "/days/2/")
    form = {"csrfmiddlewaretoken": token, "body": "bob's", "version": "1"}
    assert client.post(f"/resources/{resource_of(plan).pk}/note/", form, headers=HTMX).status_code == 404
    assert client.post("/review/4/note/", form, headers=HTMX).status_code == 404  # his plan has one week
    # The same day number is his own day note, never alice's.
    answer = client.post("/days/2/note/", {**form, "version": "0"}, headers=HTMX)
    assert answer[SAVED] == "1"
    assert DayNote.objects.get(enrollment=bobs).body == "bob's"
    assert stored(enrollment, "day") is None
    assert {getattr(stored(enrollment, kind), "body", None) for kind in ("resource", "week")} == {"alice's"}


# --- what the editor shows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_preview_and_the_editor_say_which_is_which(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture, kind: str
) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 1, 7, 30, tzinfo=UTC), tick=False)
    make_note(enrollment, kind, "*saved*", 1)
    html = alice_client.get(pages(enrollment.plan)[kind]).content.decode()
    assert '<p id="note-preview-label" class="note-caption">Preview: your note as saved</p>' in html
    assert 'id="note-preview" class="note-preview" role="region" aria-labelledby="note-preview-label"' in html
    assert '<label for="note-body">Editor: ' in html
    # The time of the last save, in the learner's zone; the draft offer waits hidden for the script.
    assert "Last saved on March 2, 2026 at 09:07:30." in html
    assert 'id="note-draft" class="note-draft" role="group" aria-labelledby="note-draft-title" hidden>' in html
    assert f'data-note-draft="{enrollment.pk}:{note_urls(enrollment.plan)[kind]}"' in html


def test_an_empty_note_says_nothing_is_saved_yet(alice_client: Client, enrollment: Enrollment) -> None:
    html = alice_client.get("/days/2/").content.decode()
    preview = html.split('id="note-preview"')[1].split("</div>")[0]
    assert "Nothing saved yet." in preview
    assert "Last saved" not in html and 'data-saved-at="0"' in html
