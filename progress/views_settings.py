"""The settings page: the active enrollment's schedule and reminders, and the learner's language."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from progress import rescheduling
from progress.access import current_enrollment, enrollment_required, forget_learner_enrollments
from progress.forms_enroll import SettingsForm, weekdays_to_mask
from progress.language import remember_language
from progress.models import Enrollment, LearnerProfile, ScheduleChange

ENROLLMENT_FIELDS = (
    "reminders_enabled",
    "reminder_time",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "time_zone",
)


def save_settings(user: User, enrollment: Enrollment, data: dict[str, Any]) -> None:
    """Write the cleaned form in one transaction; a moved start date also leaves a START history row."""
    with transaction.atomic():
        if data["start_date"] != enrollment.start_date:
            ScheduleChange.objects.create(
                enrollment=enrollment, kind=ScheduleChange.Kind.START, on_date=data["start_date"]
            )
            enrollment.start_date = data["start_date"]
        enrollment.study_weekdays = weekdays_to_mask(data["weekdays"])
        for name in ENROLLMENT_FIELDS:
            setattr(enrollment, name, data[name])
        enrollment.save()
        LearnerProfile.objects.update_or_create(user=user, defaults={"language": data["language"]})


@enrollment_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    enrollment = current_enrollment(request)
    assert enrollment is not None  # enrollment_required
    language = request.LANGUAGE_CODE
    if request.method == "POST":
        form = SettingsForm(request.POST, enrollment=enrollment)
        if form.is_valid():
            save_settings(user, enrollment, form.cleaned_data)
            remember_language(request, form.cleaned_data["language"])
            forget_learner_enrollments(request)
            messages.success(request, _("Settings saved."))
            return redirect("progress:settings")
    else:
        form = SettingsForm(initial=SettingsForm.initial_for(enrollment, language), enrollment=enrollment)
    context = {"form": form, "enrollment": enrollment, "paused": rescheduling.is_paused(enrollment)}
    return render(request, "progress/settings.html", context)
