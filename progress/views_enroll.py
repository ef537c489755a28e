"""Enrolling in a plan and switching the active enrollment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from curriculum.models import Plan
from progress.access import learner_enrollments, owned_enrollment
from progress.forms_enroll import EnrollForm, weekdays_to_mask
from progress.models import Enrollment, LearnerProfile
from progress.zones import DEFAULT_TIME_ZONE


def set_active(user: User, enrollment: Enrollment) -> None:
    LearnerProfile.objects.update_or_create(user=user, defaults={"active_enrollment": enrollment})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enroll(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        form = EnrollForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    enrollment = Enrollment.objects.create(
                        user=user,
                        plan=data["plan"],
                        start_date=data["start_date"],
                        study_weekdays=weekdays_to_mask(data["weekdays"]),
                        time_zone=data["time_zone"],
                    )
                    set_active(user, enrollment)
            except IntegrityError:
                # Two submits at once: the unique (user, plan) constraint let only one through.
                form.add_error("plan", _("You are already enrolled in this plan."))
            else:
                messages.success(request, _("You are enrolled in “%(plan)s”.") % {"plan": enrollment.plan})
                return redirect("progress:today")
    else:
        # The learner's usual time zone if they have enrolled before; otherwise the plan's home zone.
        current = learner_enrollments(request).active
        time_zone = current.time_zone if current else DEFAULT_TIME_ZONE
        form = EnrollForm(initial=EnrollForm.initial_for(time_zone, user), user=user)
    has_plans = Plan.objects.published().exists()
    return render(request, "progress/enroll.html", {"form": form, "has_plans": has_plans})


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    enrollment = owned_enrollment(user, pk)
    set_active(user, enrollment)
    messages.success(request, _("Now showing “%(plan)s”.") % {"plan": enrollment.plan})
    return redirect("progress:today")
