"""One learner's reminder, sent at once: to see what the daily email looks like without waiting for its time.

`manage.py quickstart --remind-now` sends the demo learner's. It is the email the fan-out would send today (same
facts, kinds and skips, progress.reminders.message), but it is not the daily one: no ReminderDelivery row is
written, so the daily reminder still comes at the learner's reminder time, and running it again sends again.
"""

from __future__ import annotations

from datetime import date

from django.core.mail import mailers

from progress.models import Enrollment
from progress.reminders import upcoming
from progress.reminders.message import build_message
from progress.schedule import ONE_DAY
from progress.services import overview
from progress.zones import local_today


def send_reminder_now(enrollment: Enrollment) -> date:
    """Send `enrollment`'s reminder for the learner's local today, now; returns that date.

    Raises NothingToSend (with the reason) when the learner gets no reminder today: reminders off, the plan not
    begun or over, paused, a day off."""
    today = local_today(enrollment.time_zone)
    message = build_message(enrollment, today)
    mailers.default.send_messages([message])
    return today


def next_reminder_date(enrollment: Enrollment, after: date) -> date | None:
    """The first local date after `after` on which the learner gets a reminder; None if none (or reminders off)."""
    if not enrollment.reminders_enabled:
        return None
    ov = overview(enrollment, after)
    inp = enrollment.schedule_input(ov.schedule.total_days, after)
    return upcoming.next_reminder_date(
        ov.schedule,
        inp.changes,
        inp.days_off,
        after + ONE_DAY,
        finished=ov.finished,
        review_days=enrollment.weekend_reminders,
    )
