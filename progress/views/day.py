"""One plan day: its sessions, tick boxes and note; ticking a task."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.models import DayNote, Enrollment, TaskCompletion
from progress.page_cache import cached_page, overview_inputs
from progress.pages import day_context, safe_next
from progress.services import overview
from progress.structure import structure_for


@learner_page()
def day(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    context = day_context(enrollment, today, number)
    note = context["note"]
    note_state = (note.pk, note.version, note.updated_at, note.shared) if isinstance(note, DayNote) else None
    inputs = (*overview_inputs(context["overview"]), number, note_state, enrollment.share_notes)  # type: ignore[arg-type]
    return cached_page(request, "progress/day.html", inputs, lambda: context)


@learner_page(ACTION)
def toggle_task(
    request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int, task_id: int
) -> HttpResponse:
    """Set a task's state to the posted one ("done" present = ticked). Idempotent, one statement.

    Posting the wanted state rather than "flip it" means a double click or two tabs cannot undo each
    other by accident; the unique constraint plus ON CONFLICT DO NOTHING keeps one row under races.
    """
    # The task must belong to this day of the learner's plan: checked against the cached structure.
    if structure_for(enrollment.plan).day_of_task.get(task_id) != number:
        raise Http404("no such task on this day")
    done = bool(request.POST.get("done"))
    if done:
        TaskCompletion.objects.bulk_create(
            [TaskCompletion(enrollment=enrollment, task_id=task_id)], ignore_conflicts=True
        )
    else:
        TaskCompletion.objects.filter(enrollment=enrollment, task_id=task_id).delete()
    if not request.htmx:
        # Back to the ticked task itself (its <li id="task-N">), not the top of a long page.
        back = safe_next(request, reverse("progress:day", args=[number])).split("#", 1)[0]
        return HttpResponseRedirect(f"{back}#task-{task_id}")
    ov = overview(enrollment, today)
    context = {
        "overview": ov,
        "number": number,
        "day_done": ov.day_done(number),
        "day_total": ov.day_total(number),
        "done": done,
    }
    return render(request, "progress/_tick_response.html", context)
