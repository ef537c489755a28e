"""One plan day: its sessions, tick boxes and note; ticking a task."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from curriculum.models import Task
from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment, TaskCompletion
from progress.pages import day_context, plan_day, safe_next
from progress.services import overview


@learner_page()
def day(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    context = day_context(enrollment, today, plan_day(enrollment, number, sessions=True))
    return render(request, "progress/day.html", context)


@learner_page(ACTION)
def toggle_task(
    request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int, task_id: int
) -> HttpResponse:
    """Set a task's state to the posted one ("done" present = ticked). Idempotent, one statement.

    Posting the wanted state rather than "flip it" means a double click or two tabs cannot undo each
    other by accident; the unique constraint plus ON CONFLICT DO NOTHING keeps one row under races.
    """
    task = get_object_or_404(
        Task.objects.select_related("session__day"),
        pk=task_id,
        session__day__plan_id=enrollment.plan_id,
        session__day__number=number,
    )
    done = bool(request.POST.get("done"))
    if done:
        TaskCompletion.objects.bulk_create([TaskCompletion(enrollment=enrollment, task=task)], ignore_conflicts=True)
    else:
        TaskCompletion.objects.filter(enrollment=enrollment, task=task).delete()
    if not request.htmx:
        return HttpResponseRedirect(safe_next(request, reverse("progress:day", args=[number])))
    ov = overview(enrollment, today)
    context = {
        "overview": ov,
        "number": number,
        "day_done": ov.day_done(number),
        "day_total": ov.day_total(number),
        "task": task,
        "done": done,
    }
    return render(request, "progress/_tick_response.html", context)
