"""Saving a week or resource note: the same form, optimistic locking and answers as the day note.

The views pass the row's model and key, where to go after a plain-form save, and how to render their page
again (with the learner's text kept) when the save is refused.
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
from progress.notes import save_versioned

EDITOR = "progress/_note_editor.html"

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
            return render(request, f"{EDITOR}#response", {"error": form.problem()})
        return page({"note_body": form.text, "note_error": form.problem()}, 400)
    version: int = form.cleaned_data["version"]
    result = save_versioned(model, key, form.cleaned_data["body"], version)
    if request.htmx:
        answer = {"note": result.note, "conflict": not result.saved, "tz": enrollment.time_zone}
        return render(request, f"{EDITOR}#response", answer)
    if result.saved:
        messages.success(request, _("Note saved."))
        return HttpResponseRedirect(done_url)
    return page({"note_body": form.text, "note_version": version, "conflict": True, "newer": result.note}, 409)
