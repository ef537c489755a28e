"""Saving a day's note (autosave and Save button alike) and exporting all notes as Markdown."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.editing import editor_answer, editor_refusal
from progress.forms.notes import NoteForm
from progress.models import Enrollment
from progress.notes import export_markdown, save_note, share_note
from progress.page_cache import cached_text, learner_inputs, render_page
from progress.pages import day_context, plan_day
from progress.structure import structure_for

# htmx leaves 4xx responses unswapped by default, so the htmx answers keep 200 and carry the message;
# the plain-form answers use the real status codes.


@learner_page(ACTION)
def note_save(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    day = plan_day(structure_for(enrollment.plan), number)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, enrollment, today, number, form)
    version: int = form.cleaned_data["version"]
    result = save_note(enrollment, day.pk, form.cleaned_data["body"], version)
    if request.htmx:
        return editor_answer(request, enrollment, result)
    if result.saved:
        messages.success(request, _("Note saved."))
        return HttpResponseRedirect(reverse("progress:day", args=[number]) + "#note")
    # Conflict without JavaScript: the editor keeps the learner's text and the version they edited;
    # the newer saved note is shown next to it.
    context = day_context(enrollment, today, number)
    context.update(note_body=form.text, note_version=version, conflict=True, newer=result.note)
    return render_page(request, "progress/day.html", context, None, status=409)


def _refused(
    request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int, form: NoteForm
) -> HttpResponse:
    """Nothing saved: the message, and without htmx the day page with the learner's text kept (400)."""
    error = form.problem()
    if request.htmx:
        return editor_refusal(request, error)
    context = day_context(enrollment, today, number)
    context.update(note_body=form.text, note_error=error)
    return render_page(request, "progress/day.html", context, None, status=400)


@learner_page(ACTION)
def note_share(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    """Share the day's note with the plan's instructors ("shared" present), or make it private again."""
    shared = bool(request.POST.get("shared"))
    if not share_note(enrollment, plan_day(structure_for(enrollment.plan), number).pk, shared):
        messages.error(request, _("Save the note first, then share it."))
    elif shared:
        messages.success(request, _("The plan's instructors can read this note."))
    else:
        messages.success(request, _("This note is private again."))
    return HttpResponseRedirect(reverse("progress:day", args=[number]) + "#note")


@learner_page()
def notes_export(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    # Made of the plan and the learner's state only: cached under their rows' versions (progress.page_cache).
    text = cached_text("notes-export", learner_inputs(enrollment, today), lambda: export_markdown(enrollment))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notes-{enrollment.plan.slug}.md"'
    return response
