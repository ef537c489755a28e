"""Enrolling in a plan and switching the active enrollment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from curriculum.models import Plan
from progress.access import ACTION, FORM, AuthenticatedHttpRequest, learner_enrollments, owned_enrollment, signed_in
from progress.forms.enroll import EnrollForm
from progress.forms.schedule_fields import weekdays_to_mask
from progress.models import Enrollment, LearnerProfile
from progress.reminders.upcoming import skip_reminders_already_past
from progress.zones import DEFAULT_TIME_ZONE


def set_active(user: User, enrollment: Enrollment) -> None:
    LearnerProfile.objects.update_or_create(user=user, defaults={"active_enrollment": enrollment})


def _create(form: EnrollForm, user: User) -> Enrollment | None:
    """The new enrollment, made active; None (and an error on the form) if a second submit won the race."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user,
                plan=data["plan"],
                start_date=data["start_date"],
                study_weekdays=weekdays_to_mask(data["weekdays"]),
                time_zone=data["time_zone"],
                reminders_enabled=data["reminders_enabled"],
                reminder_time=data["reminder_time"],
            )
            if not data["remind_today"]:
                # Enrolling at 10:00 with reminders at 08:00 must not mail the learner within the minute.
                skip_reminders_already_past(enrollment)
            set_active(user, enrollment)
    except IntegrityError:
        # Two submits at once: the unique (user, plan) constraint let only one through.
        form.add_error("plan", _("You are already enrolled in this plan."))
        return None
    return enrollment


# Login only: this is where a learner without an enrollment is sent.
@signed_in(FORM)
def enroll(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    offered = EnrollForm.offered_to(user)
    if request.method == "POST":
        form = EnrollForm(request.POST, user=user, offered=offered)
        enrollment = _create(form, user) if form.is_valid() else None
        if enrollment is not None:
            messages.success(request, _("You are enrolled in “%(plan)s”.") % {"plan": enrollment.plan})
            return redirect("progress:today")
    else:
        # The learner's usual time zone if they have enrolled before; otherwise the plan's home zone.
        current = learner_enrollments(request).active
        time_zone = current.time_zone if current else DEFAULT_TIME_ZONE
        form = EnrollForm(
            initial=EnrollForm.initial_for(time_zone, offered), user=user, offered=offered, guess_zone=current is None
        )
    context = {
        "form": form,
        "offered": offered,
        # Nothing left to offer: either no plan is open at all, or the learner is already in every one.
        "has_plans": bool(offered) or Plan.objects.published().exists(),
    }
    return render(request, "progress/enroll.html", context)


@signed_in(ACTION)
def activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrollment = owned_enrollment(request.user, pk)
    set_active(request.user, enrollment)
    messages.success(request, _("Now showing “%(plan)s”.") % {"plan": enrollment.plan})
    return redirect("progress:today")
