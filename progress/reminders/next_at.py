"""Each enrollment's next reminder instant (`Enrollment.next_reminder_at`), so a beat tick reads only those due.

The stored instant is a lower bound of when the learner can next be due: the earliest UTC instant at which
their reminder time comes on the first local date that has no delivery row yet (and not before the eve of
their start date). The due query (progress.reminders.due) reads the enrollments whose instant has passed,
or is unknown (NULL), with an index range scan, and applies its exact tests on top (the wall-clock time in
the learner's zone, no row for that date): a bound that is too early costs one index entry per tick, never
a wrong email; one that is too late would delay a reminder, so every change that can bring the next
reminder earlier moves it in the same transaction:

    reminder time, time zone, reminders turned on, start date   Enrollment.save() (forms, admin, enrolling):
                                                                the eve of the start, a bound far back
    the day's delivery row written (sent, pending or skipped)   the fan-out (`advance`), enrolling late
                                                                (upcoming.skip_reminders_already_past)

What else decides whether a learner gets an email on a date (the weekend switch, pauses, days off, the
plan's end) is not part of the instant: the fan-out decides that on the date and records a skipped row,
which moves the instant to the next date as a sent one does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from progress.compiled import server_cursor
from progress.zones import load_zone

if TYPE_CHECKING:
    from progress.models import Enrollment

ONE_DAY = timedelta(days=1)
# The Enrollment fields the instant is computed from: a save() that writes any of them recomputes it.
FIELDS = frozenset({"time_zone", "reminder_time", "reminders_enabled", "start_date"})


def earliest_instant(on: date, at: time, time_zone: str) -> datetime | None:
    """The earliest UTC instant at which the wall clock in `time_zone` reads `at` on `on` (pure): the first of
    the two on a daylight-saving repeat; on a skipped hour the instant before the jump, earlier than the due
    query's "the next valid instant", which is what a lower bound needs. None for an unreadable zone."""
    zone = load_zone(time_zone)
    if zone is None:
        return None
    local = datetime.combine(on, at, tzinfo=zone)
    return min(local.astimezone(UTC), local.replace(fold=1).astimezone(UTC))


def first_open_date(time_zone: str, now: datetime) -> date | None:
    """The earliest local date the due query may still remind of at `now`: yesterday just after local midnight
    (the grace for late reminder times, progress.reminders.due), otherwise today."""
    zone = load_zone(time_zone)
    if zone is None:
        return None
    return (now - timedelta(seconds=settings.REMINDER_GRACE_SECONDS)).astimezone(zone).date()


def next_instant(
    time_zone: str, reminder_time: time, start_date: date, *, after: date | None, now: datetime | None
) -> datetime | None:
    """The instant to store (pure): on the first date after `after` (the last date with a delivery row), not
    before the eve of `start_date`, nor (given `now`) before the first date still open at `now`."""
    candidates = [start_date - ONE_DAY]
    if after is not None:
        candidates.append(after + ONE_DAY)
    if now is not None:
        first = first_open_date(time_zone, now)
        if first is None:
            return None
        candidates.append(first)
    return earliest_instant(max(candidates), reminder_time, time_zone)


def for_saved_fields(time_zone: str, reminder_time: time, start_date: date) -> datetime | None:
    """Enrollment.save()'s value when a reminder field is written: the reminder time on the eve of the start,
    with no delivery row read and no clock (a save must not cost a query, and the result must not depend on
    when it ran). A learner already under way is then looked at by each tick until the fan-out writes their
    next row, a few entries of the index per settings change and day."""
    return next_instant(time_zone, reminder_time, start_date, after=None, now=None)


def write(values: dict[int, datetime | None]) -> None:
    """Store many enrollments' instants: one UPDATE from two arrays on PostgreSQL, bulk_update elsewhere."""
    from progress.models import Enrollment

    if not values:
        return
    if connection.vendor == "postgresql":
        # Bound on the server: the arrays go as binary values, not quoted into the SQL text one by one.
        with server_cursor(connection) as cursor:
            cursor.execute(
                "UPDATE progress_enrollment AS e SET next_reminder_at = v.at"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE e.id = v.id",
                [list(values), list(values.values())],
            )
        return
    rows = [Enrollment(pk=pk, next_reminder_at=at) for pk, at in values.items()]
    Enrollment.objects.bulk_update(rows, ["next_reminder_at"], batch_size=500)


def advance(written: Iterable[tuple[Enrollment, date]]) -> None:
    """After delivery rows were written for (enrollment, local date) pairs: each enrollment's instant moves to
    the next date. One statement for all of them."""
    values: dict[int, datetime | None] = {}
    for e, on in written:
        e.next_reminder_at = next_instant(e.time_zone, e.reminder_time, e.start_date, after=on, now=None)
        values[e.pk] = e.next_reminder_at
    write(values)


def refresh(enrollments: Iterable[Enrollment] | None = None, now: datetime | None = None) -> int:
    """Recompute the instant of `enrollments` (default: every enrollment) from their delivery rows: two queries
    and one write, whatever their number (the benchmark's fill; repairs after rows were written around the
    model). Returns how many were written."""
    from progress.models import Enrollment, ReminderDelivery

    now = now or timezone.now()
    rows = Enrollment.objects.order_by()
    if enrollments is not None:
        rows = rows.filter(pk__in=[e.pk for e in enrollments])
    fields = list(rows.values_list("pk", "time_zone", "reminder_time", "start_date"))
    last = dict(
        ReminderDelivery.objects.filter(enrollment_id__in=rows.values("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(last=Max("local_date"))
        .values_list("enrollment_id", "last")
    )
    write({pk: next_instant(tz, t, start, after=last.get(pk), now=now) for pk, tz, t, start in fields})
    return len(fields)
