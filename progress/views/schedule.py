"""Getting back on track: reschedule and undo, days off, pause and resume.

Each works without JavaScript (forms post, then redirect with a message); with htmx the days-off panel is
swapped in place. Services in progress.rescheduling do the work; these views only translate HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from progress import rescheduling
from progress.access import ACTION, FORM, AuthenticatedHttpRequest, learner_page, owned_day_off
from progress.forms.schedule import DayOffForm, RescheduleForm
from progress.models import Enrollment
from progress.pages import days_off_context, safe_next
from progress.services import overview
from progress.zones import local_today


def _back(request: AuthenticatedHttpRequest, default: str) -> HttpResponseRedirect:
    return redirect(safe_next(request, default))


def _d(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _range(start: date, end: date) -> str:
    return _d(start) if start == end else f"{_d(start)} – {_d(end)}"


def _report(request: AuthenticatedHttpRequest, change: Callable[[], str]) -> None:
    """Make a schedule change; its success message, or the service's reason for refusing it, is shown next."""
    try:
        text = change()
    except rescheduling.ScheduleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, text)


# --- reschedule -------------------------------------------------------------------------------------------


@learner_page(FORM)
def reschedule(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    if request.method == "POST":
        _apply(request, enrollment, today)
        # Today's "start from today instead" posts here too, and returns there.
        return _back(request, reverse("progress:reschedule"))
    ov = overview(enrollment, today)
    return render(
        request,
        "progress/reschedule.html",
        {
            "enrollment": enrollment,
            "overview": ov,
            "behind": rescheduling.behind(ov),
            "options": rescheduling.options_from(ov),
            "undoable": rescheduling.last_undoable(enrollment),
            "history": enrollment.schedule_changes.all(),
        },
    )


def _apply(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> None:
    """Apply the posted choice; the outcome, good or bad, is a message on the page redirected to."""
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(message) for message in form.errors["kind"]))
        return

    def change() -> str:
        chosen = rescheduling.apply(enrollment, form.cleaned_data["kind"], today, form.cleaned_data["finish"])
        return _("Rescheduled: day %(n)s is on %(first)s and you now finish on %(finish)s.") % {
            "n": chosen.first_day,
            "first": _d(chosen.first_date),
            "finish": _d(chosen.finish),
        }

    _report(request, change)


@learner_page(ACTION)
def reschedule_undo(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def undo() -> str:
        return _("Undone: %(change)s.") % {"change": rescheduling.undo_last(enrollment).get_kind_display()}

    _report(request, undo)
    return _back(request, reverse("progress:reschedule"))


# --- days off ---------------------------------------------------------------------------------------------


def _render_days_off(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    today: date,
    form: DayOffForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_htmx = bool(request.htmx)
    context = {
        **days_off_context(enrollment, today, form),
        "enrollment": enrollment,
        "paused": rescheduling.is_paused(enrollment),
        # A swapped-in panel shows its own messages; a full page shows them in base.html.
        "show_messages": is_htmx,
    }
    if is_htmx:
        # htmx 2 does not swap 4xx answers, so the panel with its errors goes back as a 200.
        return render(request, "progress/days_off.html#panel", context)
    return render(request, "progress/days_off.html", context, status=status)


@learner_page(FORM)
def days_off(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    if request.method != "POST":
        return _render_days_off(request, enrollment, today)
    form = DayOffForm(request.POST, enrollment=enrollment, today=today)
    if not form.is_valid():
        return _render_days_off(request, enrollment, today, form, status=400)
    try:
        added = rescheduling.add_day_off(
            enrollment, form.cleaned_data["start_date"], form.cleaned_data["end_date"], today
        )
    except rescheduling.ScheduleError as exc:  # a clash created between validation and save
        form.add_error(None, exc.messages)
        return _render_days_off(request, enrollment, today, form, status=400)
    messages.success(request, _("Day off added: %(range)s.") % {"range": _range(added.start_date, added.end_date)})
    if request.htmx:
        return _render_days_off(request, enrollment, today)
    return _back(request, reverse("progress:days_off"))


@learner_page(ACTION)
def day_off_delete(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, pk: int) -> HttpResponse:
    day_off = owned_day_off(request.user, pk)
    if day_off.enrollment_id != enrollment.pk:
        # A tab still open on another of the learner's plans: that plan's day off, on that plan's date.
        enrollment = day_off.enrollment
        today = local_today(enrollment.time_zone)

    def remove() -> str:
        freed = rescheduling.remove_day_off(day_off, today)
        return _("Day off removed: %(range)s.") % {"range": _range(*freed)}

    _report(request, remove)
    if request.htmx:
        return _render_days_off(request, enrollment, today)
    return _back(request, reverse("progress:days_off"))


# --- pause / resume ---------------------------------------------------------------------------------------


@learner_page(ACTION)
def pause(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def change() -> str:
        rescheduling.pause(enrollment, today)
        return _("Your plan is paused: no reminders and nothing falls behind until you resume.")

    _report(request, change)
    return _back(request, reverse("progress:reschedule"))


@learner_page(ACTION)
def resume(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def change() -> str:
        rescheduling.resume(enrollment, today)
        finish = overview(enrollment, today).schedule.last_date
        return _("Welcome back: the rest of the plan moved by the paused time; you now finish on %(finish)s.") % {
            "finish": _d(finish) if finish else "-"
        }

    _report(request, change)
    return _back(request, reverse("progress:reschedule"))
