"""One learner's reminder, sent at once: to see what the daily email looks like without waiting for its time.

`manage.py quickstart --remind-now` sends the demo learner's. It is the email the fan-out would send today (same
facts, kinds and skips, progress.reminders.message), but it is not the daily one: no ReminderDelivery row is
written, so the daily reminder still comes at the learner's reminder time, and running it again sends again.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import mailers

from progress.models import Enrollment
from progress.reminders.due import reminder_kind
from progress.reminders.message import build_message
from progress.schedule import ONE_DAY, off_on, paused_on
from progress.services import overview
from progress.zones import local_today

# How far ahead `next_reminder_date` looks: past a long day off or the eve of a start months away, "none soon".
HORIZON = timedelta(days=60)


def send_reminder_now(enrollment: Enrollment) -> date:
    """Send `enrollment`'s reminder for the learner's local today, now; returns that date.

    Raises NothingToSend (with the reason) when the learner gets no reminder today: reminders off, the plan not
    begun or over, paused, a day off."""
    today = local_today(enrollment.time_zone)
    message = build_message(enrollment, today)
    mailers.default.send_messages([message])
    return today


def next_reminder_date(enrollment: Enrollment, after: date) -> date | None:
    """The first local date after `after` on which the learner gets a reminder, within HORIZON; None if none."""
    if not enrollment.reminders_enabled:
        return None
    ov = overview(enrollment, after)
    inp = enrollment.schedule_input(total_days=0)
    day = after + ONE_DAY
    while day <= after + HORIZON:
        paused, off = paused_on(inp.changes, day), off_on(inp.days_off, day)
        if reminder_kind(ov.schedule, day, finished=ov.finished, paused=paused, day_off=off) is not None:
            return day
        day += ONE_DAY
    return None
