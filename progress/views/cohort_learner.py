"""One learner, as the plan's instructor sees them: read-only figures, days, ticks, schedule, reminders, and
only the notes they shared."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from curriculum.models import Plan
from progress.access import AuthenticatedHttpRequest
from progress.instructors import instructor_page
from progress.models import DayNote, Enrollment
from progress.notes import shared_with_instructors
from progress.services import overview
from progress.zones import local_today

LOG_SHOWN = 30


@instructor_page()
def learner(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("user", "plan"),
        pk=pk,
        plan=plan,
    )
    today = local_today(enrollment.time_zone)
    ov = overview(enrollment, today)
    notes = shared_with_instructors(DayNote.objects.filter(enrollment=enrollment)).select_related("day")
    context = {
        "plan": plan,
        "learner": enrollment,
        # Not `overview`: base.html shows that one as the visitor's own counter.
        "ov": ov,
        "today": today,
        "days": [
            (d, ov.day_state(d.number), ov.date_of(d.number), ov.day_done(d.number), ov.day_total(d.number))
            for d in ov.structure.days.values()
        ],
        "ticked": ov.ticked,
        "changes": enrollment.schedule_changes.all(),
        "days_off": enrollment.days_off.all(),
        "reminders": enrollment.reminders.all()[:LOG_SHOWN],
        "nudges": enrollment.nudges.select_related("nudge")[:LOG_SHOWN],
        "notes": notes.order_by("day__number"),
    }
    return render(request, "instructor/learner.html", context)
