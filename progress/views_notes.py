"""Saving a day's note (autosave and Save button alike) and exporting all notes as Markdown."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from progress.models import Enrollment
from progress.notes import MAX_NOTE_LENGTH, export_markdown, save_note
from progress.views_common import HtmxHttpRequest, learner_page
from progress.views_day import day_context, plan_day


def _version(raw: str) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


@require_POST
@learner_page
def note_save(request: HtmxHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    # htmx leaves 4xx responses unswapped by default, so the htmx answers keep 200 and carry the message;
    # the plain-form answers use the real status codes.
    day = plan_day(enrollment, number)
    body = request.POST.get("body", "").replace("\r\n", "\n")
    # "force_version" is the version the learner saw in a conflict and chose to replace with their text.
    version = _version(request.POST.get("force_version") or request.POST.get("version", ""))
    error = ""
    if version is None:
        error = _("The note could not be saved: the form was incomplete. Reload the page and try again.")
    elif len(body) > MAX_NOTE_LENGTH:
        error = _("The note is too long (at most %(max)s characters).") % {"max": MAX_NOTE_LENGTH}
    elif "\x00" in body:
        # No keyboard types it, PostgreSQL cannot store it; Django's own message (translated by Django).
        error = _("Null characters are not allowed.")
    if error:
        if request.htmx:
            return render(request, "progress/_note_response.html", {"error": error, "number": number})
        context = day_context(enrollment, today, plan_day(enrollment, number, sessions=True))
        context.update(note_body=body, note_error=error)
        return render(request, "progress/day.html", context, status=400)

    assert version is not None
    result = save_note(enrollment, day, body, version)
    if request.htmx:
        context = {
            "result": result,
            "note": result.note,
            "number": number,
            "conflict": not result.saved,
            "tz": enrollment.time_zone,
        }
        return render(request, "progress/_note_response.html", context)
    if result.saved:
        messages.success(request, _("Note saved."))
        return HttpResponseRedirect(reverse("progress:day", args=[number]) + "#note")
    # Conflict without JavaScript: the editor keeps the learner's text and the version they edited;
    # the newer saved note is shown next to it.
    context = day_context(enrollment, today, plan_day(enrollment, number, sessions=True))
    context.update(note_body=body, note_version=version, conflict=True, newer=result.note)
    return render(request, "progress/day.html", context, status=409)


@learner_page
def notes_export(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    response = HttpResponse(export_markdown(enrollment), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notes-{enrollment.plan.slug}.md"'
    return response
