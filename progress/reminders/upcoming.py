"""When a learner's next reminder comes, and the reminders a new enrollment must not get.

Both follow the rules who_is_due() and the sender apply (`reminder_kind`, the learner's switches, one
delivery row per local date), so what the settings page promises is what the fan-out does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from progress.models import Enrollment, ReminderDelivery
from progress.reminders import next_at
from progress.reminders.due import reminder_kind, zones_now
from progress.schedule import ONE_DAY, Change, Schedule, off_on, paused_on
from progress.services import Overview
from progress.zones import zone_or_fallback

# The furthest ahead a next reminder is looked for: past it, a plan has certainly ended.
HORIZON = timedelta(days=800)

ENROLLED_LATE = "enrolled after this date's reminder time"


def next_reminder_date(
    schedule: Schedule,
    changes: tuple[Change, ...],
    days_off: tuple[tuple[date, date], ...],
    first: date,
    *,
    finished: bool,
    review_days: bool,
) -> date | None:
    """The first local date from `first` on that gets a reminder, or None (pure): what reminder_kind says,
    day by day, with each date's own pause and day off."""
    if finished or schedule.last_date is None:
        return None
    last = min(schedule.last_date, first + HORIZON)
    d = first
    while d <= last:
        kind = reminder_kind(
            schedule,
            d,
            finished=False,
            paused=paused_on(changes, d),
            day_off=off_on(days_off, d),
            review_days=review_days,
        )
        if kind is not None:
            return d
        d += ONE_DAY
    return None


@dataclass(frozen=True)
class NextReminder:
    at: datetime  # in the learner's zone
    soon: bool  # its time has passed and it is not sent yet: the next fan-out sends it

    @property
    def wall(self) -> datetime:
        """The learner's wall-clock time, naive: templates would otherwise show it in the server's zone."""
        return self.at.replace(tzinfo=None)


def next_reminder(ov: Overview, now: datetime | None = None) -> NextReminder | None:
    """The learner's next reminder as the fan-out will send it, or None (reminders off, plan paused, finished
    or over). One query: whether today's reminder is already recorded."""
    enrollment = ov.enrollment
    if not enrollment.reminders_enabled:
        return None
    now = now or timezone.now()
    zone = zone_or_fallback(enrollment.time_zone)
    local = now.astimezone(zone)
    today = local.date()
    inp = enrollment.schedule_input(ov.schedule.total_days, today)
    first = today
    if ReminderDelivery.objects.filter(enrollment=enrollment, local_date=today).exists():
        first = today + ONE_DAY
    d = next_reminder_date(
        ov.schedule,
        inp.changes,
        inp.days_off,
        first,
        finished=ov.finished,
        review_days=enrollment.weekend_reminders,
    )
    if d is None:
        return None
    at = datetime.combine(d, enrollment.reminder_time, tzinfo=zone)
    if d == today and at <= local:
        return NextReminder(at=local, soon=True)
    return NextReminder(at=at, soon=False)


def dates_already_past(enrollment: Enrollment, now: datetime) -> list[date]:
    """The local dates whose reminder the due query would send at `now`: today's once its reminder time has
    passed, and just after midnight yesterday's late one (see progress.reminders.due)."""
    grace = timedelta(seconds=settings.REMINDER_GRACE_SECONDS)
    result = []
    for z in zones_now([enrollment.time_zone], now, grace):
        t = enrollment.reminder_time
        if t <= z.local_time:
            result.append(z.local_date)
        if z.late_date is not None and z.late_from is not None and t >= z.late_from:
            result.append(z.late_date)
    return result


def skip_reminders_already_past(enrollment: Enrollment, now: datetime | None = None) -> int:
    """Record the reminders whose time passed before the learner enrolled as skipped, so the next fan-out does
    not send one within the minute; the row is the same one a sent reminder leaves, so nothing else changes."""
    rows = [
        ReminderDelivery(
            enrollment=enrollment, local_date=d, status=ReminderDelivery.Status.SKIPPED, error=ENROLLED_LATE
        )
        for d in dates_already_past(enrollment, now or timezone.now())
    ]
    created = len(ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True))
    if rows:
        next_at.advance([(enrollment, max(r.local_date for r in rows))])
    return created
