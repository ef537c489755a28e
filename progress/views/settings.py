"""The settings page: the active enrollment's schedule and reminders, and the learner's language."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from progress.access import FORM, AuthenticatedHttpRequest, forget_learner_enrollments, learner_page
from progress.forms.settings import SettingsForm
from progress.language import remember_language
from progress.models import Enrollment
from progress.reminders.upcoming import next_reminder
from progress.services import overview


@learner_page(FORM)
def settings_page(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    language = request.LANGUAGE_CODE
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=enrollment, language=language)
        if form.is_valid():
            form.save()
            remember_language(request, form.cleaned_data["language"])
            forget_learner_enrollments(request)
            messages.success(request, _("Settings saved."))
            return redirect("progress:settings")
    else:
        form = SettingsForm(instance=enrollment, language=language)
    ov = overview(enrollment, today)
    context = {
        "form": form,
        "enrollment": enrollment,
        "paused": ov.schedule.paused,
        # As saved, not as typed into a refused form: when the fan-out will really send it.
        "next_reminder": next_reminder(ov),
    }
    return render(request, "progress/settings.html", context)
