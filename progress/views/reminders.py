"""The settings page's "send me a test reminder now" button."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.reminders.on_demand import TEST_REMINDER_LIMIT, TEST_REMINDER_WINDOW_MINUTES
from progress.tasks import send_test_reminder
from progress.throttle import user_attempts_exceeded


@learner_page(ACTION)
def test_reminder(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    """Queue a test copy of today's reminder for the worker; it is not the daily one and records no delivery."""
    if user_attempts_exceeded("test-reminder", request.user.pk, TEST_REMINDER_LIMIT, TEST_REMINDER_WINDOW_MINUTES):
        messages.error(
            request,
            _("You asked for %(n)s test reminders in the last hour; please try again later.")
            % {"n": TEST_REMINDER_LIMIT},
        )
    elif not request.user.email:
        messages.error(request, _("Your account has no email address to send a reminder to."))
    else:
        send_test_reminder.delay(enrollment.pk, today.isoformat())
        messages.success(request, _("A test reminder is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("progress:settings")
