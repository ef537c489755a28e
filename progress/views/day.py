"""One plan day: its sessions, tick boxes and note; ticking a task."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from progress import state as learner_state
from progress import ticks
from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_page, cached_values, learner_inputs
from progress.pages import day_context, safe_next
from progress.services import agenda, overview
from progress.structure import structure_for


@learner_page()
def day(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    # The note is part of the learner's state: saving it moves the enrollment's state_version.
    return cached_page(
        request, "progress/day.html", learner_inputs(enrollment, today), lambda: day_context(enrollment, today, number)
    )


@learner_page(ACTION)
def toggle_task(
    request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int, task_id: int
) -> HttpResponse:
    """Set a task's state to the posted one ("done" present = ticked). Idempotent, one write.

    Posting the wanted state rather than "flip it" means a double click or two tabs cannot undo each
    other by accident (progress.ticks).
    """
    # The task must belong to this day of the learner's plan: checked against the cached structure.
    if structure_for(enrollment.plan).day_of_task.get(task_id) != number:
        raise Http404("no such task on this day")
    done = bool(request.POST.get("done"))
    if not request.htmx:
        ticks.set_done(enrollment.pk, task_id, done)
        # Back to the ticked task itself (its <li id="task-N">), not the top of a long page.
        back = safe_next(request, reverse("progress:day", args=[number])).split("#", 1)[0]
        return HttpResponseRedirect(f"{back}#task-{task_id}")
    # The state after this tick comes with it (progress.state.set_done), so the counters below read nothing.
    learner_state.set_done(enrollment, task_id, done)
    if request.POST.get("counters") == "today":
        # Today shows other counters than the task's day page (its overdue list, its figures); the same
        # agenda() that drew the page says which ones, so every out-of-band swap finds its target.
        return render(request, "progress/_tick_today.html", {"agenda": agenda(enrollment, today), "number": number})
    ov = overview(enrollment, today)
    day_done, day_total = ov.day_done(number), ov.day_total(number)
    context = {"overview": ov, "number": number, "day_done": day_done, "day_total": day_total}
    # Everything the two counters show, so ticking and unticking the same task reuse their two renderings.
    shown = (number, day_done, day_total, ov.done_tasks, ov.total_tasks, ov.percent, ov.paused, ov.days_behind)
    return HttpResponse(cached_values(request, "progress/_tick_response.html", context, shown))
