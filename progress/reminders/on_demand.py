"""The test reminder a learner asks for on the settings page.

It is today's reminder as the daily one would be (or, on a date without one, a short note saying so), marked
as a test, sent at once and outside the daily bookkeeping: no ReminderDelivery row is created or claimed, so
the daily reminder still comes at its time. The settings view limits how often it may be asked for.
"""

from __future__ import annotations

import copy
import logging
from datetime import date

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from config.logging_utils import log_event
from progress.language import learner_language
from progress.links import absolute_url
from progress.models import Enrollment
from progress.reminders.message import NothingToSend, ReminderEmail, build_message, unsubscribe_headers

log = logging.getLogger(__name__)

# How many test reminders one learner may ask for per window, and the window (minutes).
TEST_REMINDER_LIMIT = 3
TEST_REMINDER_WINDOW_MINUTES = 60


def build_test_message(enrollment: Enrollment, today: date) -> EmailMultiAlternatives:
    """Today's reminder as it would be sent if reminders (weekends included) were on, marked as a test."""
    wanting = copy.copy(enrollment)
    wanting.reminders_enabled = wanting.weekend_reminders = True
    try:
        return build_message(wanting, today, test=True)
    except NothingToSend:
        return _nothing_today(enrollment)


def _nothing_today(enrollment: Enrollment) -> EmailMultiAlternatives:
    """A date with no reminder (paused, a day off, before the eve, after the end): the test still arrives."""
    unsubscribe_url, headers = unsubscribe_headers(enrollment)
    with translation.override(learner_language(enrollment)):
        context = {
            "enrollment": enrollment,
            "user": enrollment.user,
            "today_url": absolute_url(reverse("progress:today")),
            "unsubscribe_url": unsubscribe_url,
            "language": translation.get_language(),
        }
        subject = _("[Test] Your reminder for “%(plan)s”") % {"plan": enrollment.plan.title}
        text = render_to_string("emails/reminder_test.txt", context)
        html = render_to_string("emails/reminder_test.html", context)
    message = ReminderEmail(subject=subject, body=text, to=[enrollment.user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_test_reminder(enrollment_id: int, today: date) -> bool:
    """Send the test reminder now; False when the enrollment is gone (deleted since it was asked for)."""
    enrollment = (
        Enrollment.objects.select_related("plan", "user__learner_profile")
        .prefetch_related("schedule_changes", "days_off")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        return False
    build_test_message(enrollment, today).send()
    log_event(log, "reminder_test_sent", enrollment=enrollment_id, local_date=today)
    return True
