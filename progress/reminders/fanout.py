"""Fan-out: claim a delivery row for everybody due, and enqueue the row ids in batches after commit.

Run every REMINDER_FANOUT_SECONDS (by beat, or the send_reminders command). It also sweeps up rows that
nobody is working on any more, so a lost message or a dead worker never leaves a learner without email.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from progress.models import ReminderDelivery
from progress.reminders import next_at
from progress.reminders.due import Decisions, decide
from progress.schedule import ONE_DAY

Status = ReminderDelivery.Status


@dataclass
class FanOut:
    claimed: int = 0
    swept: int = 0
    batches: list[list[int]] = field(default_factory=list)


def batched(ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    size = size or settings.REMINDER_BATCH_SIZE
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def stuck_deliveries(now: datetime) -> list[int]:
    """Rows nobody is working on any more: pending/retrying/sending far longer than any retry delay or
    send could take (their message was lost, or the worker died). Recent dates only, so a learner never
    gets yesterday's reminder days late."""
    stale = now - timedelta(seconds=settings.REMINDER_STALE_SECONDS)
    retry_stale = now - timedelta(seconds=settings.REMINDER_MAX_RETRY_SECONDS + settings.REMINDER_STALE_SECONDS)
    return list(
        ReminderDelivery.objects.filter(local_date__gte=(now - ONE_DAY).date())
        .filter(
            Q(status__in=[Status.PENDING, Status.SENDING], updated_at__lt=stale)
            | Q(status=Status.RETRYING, updated_at__lt=retry_stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def insert_rows(decisions: Decisions) -> list[int]:
    """Insert a pending delivery row per reminder due, and a skipped one (with the reason) per quiet learner, so
    the next run does not look at them again today; the ids of the rows inserted pending by this run."""
    if not decisions.due and not decisions.quiet:
        return []
    started = timezone.now()
    # ignore_conflicts: a concurrent fan-out that inserted the same (enrollment, date) wins; the
    # ids read back below are then enqueued twice at most, and the per-row claim skips the copy.
    ReminderDelivery.objects.bulk_create(
        [ReminderDelivery(enrollment=d.enrollment, local_date=d.local_date) for d in decisions.due]
        + [
            ReminderDelivery(enrollment=q.enrollment, local_date=q.local_date, status=Status.SKIPPED, error=q.why)
            for q in decisions.quiet
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )
    # Each of them now has a row for that date: their next reminder instant moves on to the next date.
    next_at.advance([(d.enrollment, d.local_date) for d in decisions.due + decisions.quiet])
    if not decisions.due:
        return []
    # Read back by the status index (not by an IN list as long as the crowd): pending rows of these dates
    # written since this run began. Rows pending from an earlier run are not enqueued again: the sweep
    # below takes them once they are stale.
    wanted = {(d.enrollment.pk, d.local_date) for d in decisions.due}
    rows = ReminderDelivery.objects.filter(
        status=Status.PENDING, updated_at__gte=started, local_date__in={d for _, d in wanted}
    ).values_list("pk", "enrollment_id", "local_date")
    return [pk for pk, e, d in rows if (e, d) in wanted]


def _no_jit() -> None:
    """PostgreSQL's JIT, judged by cost estimates only, spent seconds compiling the due query at 100,000
    learners to save milliseconds: off for this transaction (SET LOCAL ends with it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def fan_out(enqueue: Callable[[list[int]], object], now: datetime | None = None) -> FanOut:
    """Claim a delivery row for everybody due and hand their ids, in batches, to `enqueue` after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        _no_jit()
        ids = insert_rows(decide(now))
        claimed = set(ids)
        swept = [pk for pk in stuck_deliveries(now) if pk not in claimed]
        result = FanOut(claimed=len(ids), swept=len(swept), batches=batched(sorted(ids) + swept))
        batches = list(result.batches)

        def enqueue_all() -> None:
            for b in batches:
                enqueue(b)

        transaction.on_commit(enqueue_all)
    return result
