"""Notes are private until their writer shares one on its day page, or all of them in settings."""

from __future__ import annotations

import pytest
from django.test import Client

from curriculum.models import Day
from progress.models import DayNote, Enrollment
from tests.progress.helpers import logged_in, settings_form

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture
def note(enrollment: Enrollment) -> DayNote:
    return DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=enrollment.plan, number=2), body="x")


def test_a_note_is_private_by_default_and_the_day_page_says_so(alice_client: Client, note: DayNote) -> None:
    html = alice_client.get("/days/2/").content.decode()
    assert "Private: only you can read this note." in html
    assert 'action="/days/2/note/share/"' in html
    assert not note.shared


def test_sharing_and_unsharing_one_note(alice_client: Client, note: DayNote) -> None:
    response = alice_client.post("/days/2/note/share/", {"shared": "on"}, follow=True)
    assert "The plan&#x27;s instructors can read this note." in response.content.decode()
    note.refresh_from_db()
    assert note.shared
    alice_client.post("/days/2/note/share/", {})
    note.refresh_from_db()
    assert not note.shared


def test_sharing_a_day_without_a_note_changes_nothing(alice_client: Client, note: DayNote) -> None:
    response = alice_client.post("/days/3/note/share/", {"shared": "on"}, follow=True)
    assert "Save the note first, then share it." in response.content.decode()
    assert list(DayNote.objects.values_list("day__number", "shared")) == [(2, False)]


def test_an_unknown_day_is_404(alice_client: Client, note: DayNote) -> None:
    assert alice_client.post("/days/99/note/share/", {"shared": "on"}).status_code == 404


def test_sharing_needs_the_csrf_token(enrollment: Enrollment, note: DayNote) -> None:
    client = logged_in(enrollment.user, enforce_csrf_checks=True)
    assert client.post("/days/2/note/share/", {"shared": "on"}).status_code == 403
    note.refresh_from_db()
    assert not note.shared


def test_the_settings_switch_shares_every_note(alice_client: Client, enrollment: Enrollment, note: DayNote) -> None:
    response = alice_client.post("/settings/", settings_form(enrollment, share_notes="on"))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.share_notes
    assert "Your instructors can read this note." in alice_client.get("/days/2/").content.decode()
