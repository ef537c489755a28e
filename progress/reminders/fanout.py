"""Fan-out: claim a delivery row for everybody due, and enqueue the row ids in batches after commit.

Run every REMINDER_FANOUT_SECONDS (by beat, or the send_reminders command). It also sweeps up rows that
nobody is working on any more, so a lost message or a dead worker never leaves a learner without email.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from progress.models import ReminderDelivery
from progress.reminders.due import Due, who_is_due
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


def insert_rows(due: Sequence[Due]) -> list[int]:
    """Insert a pending delivery row per reminder due; the ids of those rows that are still pending."""
    if not due:
        return []
    # ignore_conflicts: a concurrent fan-out that inserted the same (enrollment, date) wins; the
    # ids read back below are then enqueued twice at most, and the per-row claim skips the copy.
    ReminderDelivery.objects.bulk_create(
        [ReminderDelivery(enrollment=d.enrollment, local_date=d.local_date) for d in due],
        ignore_conflicts=True,
    )
    wanted = {(d.enrollment.pk, d.local_date) for d in due}
    rows = ReminderDelivery.objects.filter(
        enrollment_id__in={pk for pk, _ in wanted},
        local_date__in={d for _, d in wanted},
        status=Status.PENDING,
    ).values_list("pk", "enrollment_id", "local_date")
    return [pk for pk, e, d in rows if (e, d) in wanted]


def fan_out(enqueue: Callable[[list[int]], object], now: datetime | None = None) -> FanOut:
    """Claim a delivery row for everybody due and hand their ids, in batches, to `enqueue` after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = insert_rows(who_is_due(now))
        claimed = set(ids)
        swept = [pk for pk in stuck_deliveries(now) if pk not in claimed]
        result = FanOut(claimed=len(ids), swept=len(swept), batches=batched(sorted(ids) + swept))
        batches = list(result.batches)

        def enqueue_all() -> None:
            for b in batches:
                enqueue(b)

        transaction.on_commit(enqueue_all)
    return result
