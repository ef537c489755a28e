"""Study time on a day page: log minutes (a quick button or the corrected total), start and stop the timer.

Without JavaScript each is a plain form that redirects back to the day; with htmx the answer is the day's
study-time card, swapped in place. A refused post changes nothing and says why.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from progress import state as learner_state
from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.forms.study_time import StudyTimeForm
from progress.models import Enrollment
from progress.page_cache import render_page
from progress.pages import day_context, plan_day, time_context
from progress.structure import structure_for
from progress.study_hours import TIMER_CAP_MINUTES
from progress.study_time import Stopped, add_minutes, format_duration, set_minutes, start_timer, stop_timer


@learner_page(ACTION)
def time_log(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    day = plan_day(structure_for(enrollment.plan), number)
    form = StudyTimeForm(request.POST)
    if not form.is_valid():
        return _answer(request, enrollment, today, number, error=form.problem())
    add, total = form.cleaned_data["add"], form.cleaned_data["minutes"]
    if total is not None:
        set_minutes(enrollment, day.pk, total)
        return _answer(request, enrollment, today, number, notice=_("Study time saved."))
    if not add_minutes(enrollment, day.pk, add):
        return _answer(
            request, enrollment, today, number, error=_("Not added: a day's study time is at most 24 hours.")
        )
    return _answer(request, enrollment, today, number, notice=_("Added %(time)s.") % {"time": format_duration(add)})


@learner_page(ACTION)
def timer_start(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    day = plan_day(structure_for(enrollment.plan), number)
    if start_timer(enrollment, day.pk, timezone.now()) is None:
        error = _("A timer is already running: stop it first.")
        return _answer(request, enrollment, today, number, error=error, status=409)
    return _answer(request, enrollment, today, number, notice=_("Timer started."))


@learner_page(ACTION)
def timer_stop(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    """Stop the learner's timer, wherever it runs; the answer is the card of the day page it was stopped from."""
    plan_day(structure_for(enrollment.plan), number)
    stopped = stop_timer(request.user, timezone.now())
    if stopped is None:
        return _answer(request, enrollment, today, number, error=_("No timer is running."), status=409)
    return _answer(request, enrollment, today, number, notice=_stopped_message(enrollment, stopped))


def _stopped_message(enrollment: Enrollment, stopped: Stopped) -> str:
    if stopped.elapsed < 1:
        return _("Timer stopped after less than a minute: nothing added.")
    values = {"elapsed": format_duration(stopped.elapsed), "added": format_duration(stopped.added)}
    if stopped.added < stopped.elapsed:
        values["cap"] = format_duration(TIMER_CAP_MINUTES)
        return (
            _(
                "The timer ran for %(elapsed)s: %(added)s added (at most %(cap)s per timer and 24 hours per day). "
                "Correct the day's total if that is wrong."
            )
            % values
        )
    if stopped.enrollment_id != enrollment.pk:
        return _("Timer stopped: %(added)s added to the day of your other plan it was started for.") % values
    return _("Timer stopped: %(added)s added.") % values


def _answer(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    today: date,
    number: int,
    notice: str = "",
    error: str = "",
    status: int = 400,
) -> HttpResponse:
    """htmx: the day's study-time card (200, so htmx swaps it). Otherwise back to the day, or, when refused,
    the day page with the message in the card and a 4xx status."""
    if request.htmx:
        learner_state.load(enrollment)  # the state as it is after this post
        context = {
            "enrollment": enrollment,
            "day": plan_day(structure_for(enrollment.plan), number),
            "time_notice": notice,
            "time_error": error,
            **time_context(enrollment, structure_for(enrollment.plan), number),
        }
        return render(request, "progress/day.html#study-time", context)
    if error:
        context = day_context(enrollment, today, number)
        context["time_error"] = error
        return render_page(request, "progress/day.html", context, None, status=status)
    messages.success(request, notice)
    return HttpResponseRedirect(reverse("progress:day", args=[number]) + "#time")
