"""Fan-out: claim a delivery row for everybody due, and enqueue the row ids in batches after commit.

Run every REMINDER_FANOUT_SECONDS (by beat, or the send_reminders command). It also sweeps up rows that
nobody is working on any more, so a lost message or a dead worker never leaves a learner without email.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from progress.compiled import server_cursor
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
    the next run does not look at them again today; the ids of the rows inserted pending by this run.

    A row a concurrent fan-out inserted first for the same (enrollment, date) wins and is not this run's."""
    if not decisions.due and not decisions.quiet:
        return []
    rows = [(d.enrollment.pk, d.local_date, Status.PENDING.value, "") for d in decisions.due] + [
        (q.enrollment.pk, q.local_date, Status.SKIPPED.value, q.why) for q in decisions.quiet
    ]
    ids = _insert_postgresql(rows) if connection.vendor == "postgresql" else _insert_orm(rows, decisions)
    # Each of them now has a row for that date: their next reminder instant moves on to the next date.
    next_at.advance([(d.enrollment, d.local_date) for d in decisions.due + decisions.quiet])
    return ids


_TABLE = ReminderDelivery._meta.db_table
_COLUMN = {f.name: str(f.column) for f in ReminderDelivery._meta.concrete_fields}
_COLUMNS = ", ".join(
    _COLUMN[name] for name in ("enrollment", "local_date", "status", "error", "attempts", "created_at", "updated_at")
)
# One statement from four arrays, bound on the server, returning the ids it inserted: the ORM's bulk_create
# spends longer building a thousand rows' SQL and values than PostgreSQL spends inserting them.
_INSERT = (
    f"INSERT INTO {_TABLE} ({_COLUMNS})"  # noqa: S608 - the model's own names
    " SELECT r.enrollment, r.local_date, r.status, r.error, 0, %s, %s"
    " FROM unnest(%s::bigint[], %s::date[], %s::text[], %s::text[]) AS r(enrollment, local_date, status, error)"
    f" ON CONFLICT ({_COLUMN['enrollment']}, {_COLUMN['local_date']}) DO NOTHING RETURNING id, status"
)


def _insert_postgresql(rows: list[tuple[int, date, str, str]]) -> list[int]:
    now = timezone.now()
    enrollments, dates, statuses, errors = (list(column) for column in zip(*rows, strict=True))
    with server_cursor(connection) as cursor:
        cursor.execute(_INSERT, [now, now, enrollments, dates, statuses, errors])
        return [pk for pk, status in cursor.fetchall() if status == Status.PENDING]


def _insert_orm(rows: list[tuple[int, date, str, str]], decisions: Decisions) -> list[int]:
    """The same rows through the ORM (SQLite: the quickstart's few learners), told apart from rows already
    there by reading those first: SQLite returns no ids from a bulk insert that skips conflicts."""
    dates = {d for _, d, _, _ in rows}
    pending = ReminderDelivery.objects.filter(status=Status.PENDING, local_date__in=dates)
    there = set(pending.values_list("pk", flat=True)) if decisions.due else set()
    ReminderDelivery.objects.bulk_create(
        [ReminderDelivery(enrollment_id=e, local_date=d, status=status, error=error) for e, d, status, error in rows],
        ignore_conflicts=True,
        batch_size=5000,
    )
    if not decisions.due:
        return []
    wanted = {(d.enrollment.pk, d.local_date) for d in decisions.due}
    found = pending.values_list("pk", "enrollment_id", "local_date")
    return [pk for pk, e, d in found if (e, d) in wanted and pk not in there]


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
