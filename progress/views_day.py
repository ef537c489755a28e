"""One plan day: its sessions, tick boxes and note; ticking a task."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from curriculum.models import Day, Task
from progress.models import DayNote, Enrollment, TaskCompletion
from progress.services import learner_days, overview, ticked_ids
from progress.views_common import HtmxHttpRequest, learner_page, safe_next


def day_context(enrollment: Enrollment, today: date, day: Day) -> dict[str, object]:
    ov = overview(enrollment, today)
    number = day.number
    note = DayNote.objects.filter(enrollment=enrollment, day=day).first()
    return {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "day": day,
        "date": ov.date_of(number),
        "state": ov.day_state(number),
        "done_ids": ticked_ids(day),
        "day_done": ov.day_done(number),
        "day_total": ov.day_total(number),
        "prev_number": ov.day_before(number),
        "next_number": ov.day_after(number),
        "note": note,
        "note_body": note.body if note else "",
        "note_version": note.version if note else 0,
    }


def plan_day(enrollment: Enrollment, number: int, *, sessions: bool = False) -> Day:
    """A day of the learner's own plan, or 404; with `sessions`, its sessions and ticked tasks too."""
    days = learner_days(enrollment) if sessions else Day.objects.filter(plan_id=enrollment.plan_id)
    return get_object_or_404(days, number=number)


@learner_page
def day(request: HtmxHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    context = day_context(enrollment, today, plan_day(enrollment, number, sessions=True))
    return render(request, "progress/day.html", context)


@require_POST
@learner_page
def toggle_task(
    request: HtmxHttpRequest, enrollment: Enrollment, today: date, number: int, task_id: int
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
