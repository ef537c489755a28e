"""Views for getting back on track (reschedule, undo, days off, pause/resume) and the calendar feed.

Each works without JavaScript (forms post, then redirect with a message); with htmx the days-off panel is
swapped in place. Services in progress.rescheduling do the work; these views only translate HTTP.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from progress import rescheduling
from progress.access import owned_day_off
from progress.feed import build_calendar, enrollment_for_token
from progress.forms_schedule import DayOffForm, days_off_context
from progress.models import Enrollment, new_calendar_token
from progress.services import overview
from progress.views_common import HtmxHttpRequest, learner_page, safe_next
from progress.zones import local_today


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required ran first
    return request.user


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return redirect(safe_next(request, default))


def _d(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- reschedule -------------------------------------------------------------------------------------------


@learner_page
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            expected = date.fromisoformat(request.POST.get("finish", ""))
        except ValueError:
            expected = None
        try:
            chosen = rescheduling.apply(enrollment, kind, today, expected_finish=expected)
        except rescheduling.ScheduleError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Rescheduled: day %(n)s is on %(first)s and you now finish on %(finish)s.")
                % {"n": chosen.first_day, "first": _d(chosen.first_date), "finish": _d(chosen.finish)},
            )
        return redirect("progress:reschedule")

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


@learner_page
@require_POST
def reschedule_undo(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    try:
        change = rescheduling.undo_last(enrollment)
    except rescheduling.ScheduleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Undone: %(change)s.") % {"change": change.get_kind_display()})
    return redirect("progress:reschedule")


# --- days off ---------------------------------------------------------------------------------------------


def _render_days_off(
    request: HtmxHttpRequest, enrollment: Enrollment, today: date, form: DayOffForm | None = None, status: int = 200
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


@learner_page
@require_http_methods(["GET", "HEAD", "POST"])
def days_off(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
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


def _range(start: date, end: date) -> str:
    return _d(start) if start == end else f"{_d(start)} – {_d(end)}"


@login_required
@require_POST
def day_off_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    day_off = owned_day_off(_user(request), pk)
    enrollment = day_off.enrollment
    today = local_today(enrollment.time_zone)
    try:
        freed = rescheduling.remove_day_off(day_off, today)
    except rescheduling.ScheduleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Day off removed: %(range)s.") % {"range": _range(*freed)})
    if request.htmx:
        return _render_days_off(request, enrollment, today)
    return _back(request, reverse("progress:days_off"))


# --- pause / resume ---------------------------------------------------------------------------------------


@learner_page
@require_POST
def pause(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    try:
        rescheduling.pause(enrollment, today)
    except rescheduling.ScheduleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your plan is paused: no reminders and nothing falls behind until you resume."))
    return _back(request, reverse("progress:reschedule"))


@learner_page
@require_POST
def resume(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    try:
        rescheduling.resume(enrollment, today)
    except rescheduling.ScheduleError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        finish = overview(enrollment, today).schedule.last_date
        messages.success(
            request,
            _("Welcome back: the rest of the plan moved by the paused time; you now finish on %(finish)s.")
            % {"finish": _d(finish) if finish else "-"},
        )
    return _back(request, reverse("progress:reschedule"))


# --- calendar feed ----------------------------------------------------------------------------------------


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: calendar apps cannot log in, the secret token in the URL is the credential."""
    enrollment = enrollment_for_token(token)
    if enrollment is None:
        raise Http404("no such feed")
    response = HttpResponse(build_calendar(enrollment), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    response["Content-Disposition"] = 'inline; filename="study-plan.ics"'
    return response


@learner_page
@require_POST
def calendar_token_reset(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    enrollment.calendar_token = new_calendar_token()
    enrollment.save(update_fields=["calendar_token"])
    messages.success(request, _("Your calendar link was reset; the old link no longer works."))
    if request.htmx:
        return render(request, "progress/_calendar_feed.html", {"enrollment": enrollment})
    return _back(request, reverse("progress:settings"))
