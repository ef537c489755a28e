"""Saving a week or resource note: the same form, optimistic locking and answers as the day note.

The views pass the row's model and key, where to go after a plain-form save, and how to render their page
again (with the learner's text kept) when the save is refused. The htmx answer (`editor_answer`) is shared
with the day note.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from progress.access import AuthenticatedHttpRequest
from progress.forms.notes import NoteForm
from progress.models import Enrollment
from progress.notes import SaveResult, save_versioned

EDITOR = "progress/_note_editor.html"

# Set on an htmx answer only when the text was stored, to the note's new version: the editor's script
# (static/js/notes.js) drops its local draft on it. Conflicts and refusals answer 200 too, without it.
SAVED_HEADER = "X-Note-Saved"

# Renders the page the editor is on, with extra context, at a status code.
type PageRenderer = Callable[[dict[str, object], int], HttpResponse]


def editor_context(note: Model | None, note_url: str, label: str) -> dict[str, object]:
    return {
        "note": note,
        "note_url": note_url,
        "note_label": label,
        "note_body": getattr(note, "body", ""),
        "note_version": getattr(note, "version", 0),
    }


def save_note_answer(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    model: type[Model],
    key: dict[str, object],
    done_url: str,
    page: PageRenderer,
) -> HttpResponse:
    """Validate and save the posted note; answer htmx with the status line, a plain form with a page."""
    form = NoteForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return editor_refusal(request, form.problem())
        return page({"note_body": form.text, "note_error": form.problem()}, 400)
    version: int = form.cleaned_data["version"]
    result = save_versioned(model, key, form.cleaned_data["body"], version)
    if request.htmx:
        return editor_answer(request, enrollment, result)
    if result.saved:
        messages.success(request, _("Note saved."))
        return HttpResponseRedirect(done_url)
    return page({"note_body": form.text, "note_version": version, "conflict": True, "newer": result.note}, 409)


def editor_answer(request: AuthenticatedHttpRequest, enrollment: Enrollment, result: SaveResult[Model]) -> HttpResponse:
    """The htmx answer to a save: the status line, and out of band the new version and preview or the conflict."""
    answer = {"note": result.note, "conflict": not result.saved, "tz": enrollment.time_zone}
    response = render(request, f"{EDITOR}#response", answer)
    if result.saved:
        response[SAVED_HEADER] = str(getattr(result.note, "version", ""))
    return response


def editor_refusal(request: AuthenticatedHttpRequest, error: str) -> HttpResponse:
    return render(request, f"{EDITOR}#response", {"error": error})
