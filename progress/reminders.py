"""Daily reminder emails: who is due, claiming, building and sending. Plain functions; progress.tasks wraps them.

Who is due (one query per run, whatever the number of learners)
    Time zones cannot be converted portably inside SQLite and PostgreSQL alike, so the conversion is done in
    Python once per *time zone*, not per learner: a cheap DISTINCT over the (reminders_enabled, time_zone)
    index lists the zones in use; for each, Python computes the local date and wall-clock time now; then a
    single query ORs one condition per zone:

        time_zone = Z AND reminder_time <= <local time in Z> AND start_date <= <local date in Z> + 1
        AND NOT EXISTS (delivery for this enrollment on <local date in Z>)

    Comparing wall-clock times handles daylight saving by itself: on a spring-forward day a reminder at
    02:30 (which does not exist) becomes due at 03:00, the next valid instant; on a fall-back day 01:30
    happens twice, and the second time the delivery row for that date already exists, so it is sent once.
    Just after local midnight the same query also takes reminder times from the last REMINDER_GRACE_SECONDS
    of the previous date that no run caught (a 23:58 reminder with runs every 5 minutes), for that date.

Exactly once, as far as SMTP allows
    1. The fan-out inserts ReminderDelivery(enrollment, local_date) rows (unique) in a transaction and
       enqueues their ids in batches only after it commits. Two fan-outs at once insert each row once.
    2. A batch claims its rows (pending/retrying -> sending, attempts + 1) with one conditional UPDATE per
       row inside one transaction, so it knows exactly which rows it won, and commits before sending; it
       marks each row sent right after the server accepted that message. A duplicated task, a second
       fan-out or a redelivered message finds the rows sent (or being sent) and skips them.
    3. A worker killed mid-batch leaves its message unacknowledged (acks_late): Redis redelivers it after
       the visibility timeout. Rows it had sent are marked sent and skipped; rows it had claimed but not
       sent are "sending", and once older than REMINDER_STALE_SECONDS they are claimed again and sent.
       The one message in flight at the kill is the single window where a learner can get two emails:
       the server accepted it but the worker died before recording it (SMTP has no way to ask). Nobody
       gets zero: rows left pending, sending or retrying too long are re-enqueued by the next fan-out
       (the sweep), and a batch that meets rows being sent elsewhere re-checks them once they are stale.
"""

from __future__ import annotations

import email.policy
import logging
import random
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from config.logging_utils import log_event
from curriculum.counting import count_subquery, max_subquery
from curriculum.models import Day, Task
from progress.language import learner_language
from progress.links import absolute_url
from progress.models import Enrollment, ReminderDelivery, TaskCompletion
from progress.schedule import ONE_DAY, DayKind, Schedule, off_on, paused_on
from progress.services import Agenda, agenda
from progress.zones import load_zone

log = logging.getLogger(__name__)

Status = ReminderDelivery.Status
UNSUBSCRIBE_SALT = "progress.reminders.unsubscribe"


class Kind(StrEnum):
    """What a reminder is about on a given local date."""

    STUDY = "study"  # a plan day falls on this date
    REVIEW = "review"  # a weekend / non-study date inside the plan: the week's unfinished tasks
    EVE = "eve"  # the day before the first study day: "tomorrow you begin"


# --------------------------------------------------------------------------------------------------
# Who is due


@dataclass(frozen=True)
class ZoneNow:
    time_zone: str
    local_date: date
    local_time: time
    # Just after local midnight: reminders set late on the previous date (at or after `late_from`) that
    # no run caught before midnight are still due for `late_date`. Without this, a reminder at 23:58
    # with a fan-out every 5 minutes would never be sent.
    late_date: date | None = None
    late_from: time | None = None


def zones_now(zones: Iterable[str], now: datetime, grace: timedelta | None = None) -> list[ZoneNow]:
    """Local date and wall-clock time in each zone at the instant `now` (pure apart from the default grace,
    REMINDER_GRACE_SECONDS: how far back a run looks across local midnight)."""
    if grace is None:
        grace = timedelta(seconds=settings.REMINDER_GRACE_SECONDS)
    result = []
    for name in sorted(set(zones)):
        tz = load_zone(name)
        if tz is None:  # a zone that slipped past validation must not stop everyone else
            log.warning("unknown time zone %r in enrollments; skipped", name)
            continue
        local, earlier = now.astimezone(tz), (now - grace).astimezone(tz)
        late = earlier.date() != local.date()
        result.append(
            ZoneNow(
                name,
                local.date(),
                local.time().replace(tzinfo=None),
                earlier.date() if late else None,
                earlier.time().replace(tzinfo=None) if late else None,
            )
        )
    return result


def local_date_due(z: ZoneNow, reminder_time: time) -> date:
    """Which local date a due enrollment's reminder is for: today, or (just after midnight) yesterday."""
    if z.late_date is not None and z.late_from is not None and reminder_time > z.local_time:
        return z.late_date
    return z.local_date


def reminder_zones() -> list[str]:
    """Distinct time zones of enrollments with reminders on: an index-only scan, one short row per zone."""
    return list(
        Enrollment.objects.filter(reminders_enabled=True).order_by().values_list("time_zone", flat=True).distinct()
    )


def due_enrollments(now: datetime, zones: Sequence[ZoneNow]) -> QuerySet[Enrollment]:
    """Enrollments whose reminder time has passed today in their own zone and that have no delivery row
    for that local date: ONE query (see the module docstring), annotated with what eligibility needs."""
    if not zones:
        return Enrollment.objects.none()
    condition = Q()
    for z in zones:
        delivered = ReminderDelivery.objects.filter(enrollment=OuterRef("pk"), local_date=z.local_date)
        condition |= Q(
            Q(time_zone=z.time_zone, reminder_time__lte=z.local_time, start_date__lte=z.local_date + ONE_DAY),
            ~Exists(delivered),
        )
        if z.late_date is not None:
            late = ReminderDelivery.objects.filter(enrollment=OuterRef("pk"), local_date=z.late_date)
            condition |= Q(
                Q(time_zone=z.time_zone, reminder_time__gte=z.late_from, start_date__lte=z.late_date + ONE_DAY),
                ~Exists(late),
            )
    return (
        Enrollment.objects.filter(condition, reminders_enabled=True)
        .annotate(
            done_tasks=count_subquery(TaskCompletion.objects.filter(enrollment=OuterRef("pk")), "enrollment"),
            plan_tasks=count_subquery(Task.objects.filter(session__day__plan=OuterRef("plan")), "session__day__plan"),
            # Sized like services.overview() and the feed: by the highest day number, so a day emptied or
            # deleted in the admin does not pull the later days' dates (and reminders) earlier.
            plan_days=max_subquery(Day.objects.filter(plan=OuterRef("plan")), "plan", "number"),
        )
        .order_by("pk")
    )


def reminder_kind(
    schedule: Schedule, on: date, *, finished: bool, paused: bool = False, day_off: bool = False
) -> Kind | None:
    """Which reminder (if any) a learner gets on their local date `on` (pure)."""
    if finished or paused or day_off or schedule.total_days == 0:
        return None
    day = schedule.day_on(on)
    if day.kind == DayKind.STUDY:
        return Kind.STUDY
    if day.kind == DayKind.REVIEW:
        return Kind.REVIEW
    if day.kind == DayKind.BEFORE_START:
        tomorrow = schedule.day_on(on + ONE_DAY)
        return Kind.EVE if tomorrow.kind == DayKind.STUDY and tomorrow.number == 1 else None
    return None  # AFTER_END: the plan is over


@dataclass(frozen=True)
class Due:
    enrollment: Enrollment
    local_date: date
    kind: Kind


def who_is_due(now: datetime | None = None) -> list[Due]:
    """Every reminder due at `now`. A fixed number of queries (zones, due set, two prefetches)."""
    now = now or timezone.now()
    zones = zones_now(reminder_zones(), now)
    by_zone = {z.time_zone: z for z in zones}
    candidates = due_enrollments(now, zones).prefetch_related("schedule_changes", "days_off")
    result = []
    for e in candidates:
        local_date = local_date_due(by_zone[e.time_zone], e.reminder_time)
        inp = e.schedule_input(total_days=e.plan_days)  # type: ignore[attr-defined]
        kind = reminder_kind(
            Schedule.build(inp),
            local_date,
            finished=e.plan_tasks > 0 and e.done_tasks >= e.plan_tasks,  # type: ignore[attr-defined]
            paused=paused_on(inp.changes, local_date),
            day_off=off_on(inp.days_off, local_date),
        )
        if kind is not None:
            result.append(Due(e, local_date, kind))
    return result


# --------------------------------------------------------------------------------------------------
# Fan-out: claim rows, enqueue batches after commit


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


def fan_out(enqueue: Callable[[list[int]], object], now: datetime | None = None) -> FanOut:
    """Claim a delivery row for everybody due and hand their ids, in batches, to `enqueue` after commit."""
    now = now or timezone.now()
    result = FanOut()
    with transaction.atomic():
        due = who_is_due(now)
        if due:
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
            ids = [pk for pk, e, d in rows if (e, d) in wanted]
            result.claimed = len(ids)
        else:
            ids = []
        claimed = set(ids)
        swept = [pk for pk in stuck_deliveries(now) if pk not in claimed]
        result.swept = len(swept)
        result.batches = batched(sorted(ids) + swept)
        batches = list(result.batches)

        def enqueue_all() -> None:
            for b in batches:
                enqueue(b)

        transaction.on_commit(enqueue_all)
    return result


# --------------------------------------------------------------------------------------------------
# The email


class NothingToSend(Exception):
    """The learner no longer wants or needs this reminder (turned off, finished, paused or a day off since
    the claim, or nothing to remind of on that date)."""


@dataclass(frozen=True)
class Reminder:
    """One reminder email: which kind it is, on top of exactly what the Today page shows.

    The facts (today's sessions and tasks, the review day's open tasks, overdue tasks, progress, days behind)
    come from services.agenda(), the function the Today page renders, so the two cannot disagree; only the
    kind (study day, review day, or the eve of the start: "tomorrow you begin") is the email's own."""

    kind: Kind
    agenda: Agenda


def reminder_for(enrollment: Enrollment, today: date) -> Reminder:
    """The reminder for the learner's local date `today`, or NothingToSend when they get none that day.

    Skips the same learners who_is_due() skips (finished, paused, on a day off, outside the plan), checked
    again here because a batch may run (or retry) well after the fan-out decided."""
    if not enrollment.reminders_enabled:
        raise NothingToSend("reminders were turned off")
    facts = agenda(enrollment, today)
    finished = facts.overview.finished
    inp = enrollment.schedule_input(total_days=0)
    paused = paused_on(inp.changes, today)
    day_off = off_on(inp.days_off, today)
    kind = reminder_kind(facts.overview.schedule, today, finished=finished, paused=paused, day_off=day_off)
    if kind is None:
        # Said in the delivery's error column, so an instructor sees why a claimed reminder was skipped.
        why = (
            "the plan is finished"
            if finished
            else "the plan is paused"
            if paused
            else "a day off"
            if day_off
            else "outside the plan's days"
        )
        raise NothingToSend(f"no reminder on this date: {why}")
    return Reminder(kind, facts)


def unsubscribe_token(enrollment: Enrollment) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(enrollment.pk))


def enrollment_pk_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


class ReminderEmail(EmailMultiAlternatives):
    """Keeps each header on one line (up to RFC 5322's 998 characters).

    Python's default policy folds at 78 characters and turns a long unbreakable token, such as the
    unsubscribe URL, into RFC 2047 encoded-words, which mail providers do not read in List-Unsubscribe."""

    def message(self, *, policy: email.policy.Policy | None = None) -> Any:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


def build_message(enrollment: Enrollment, today: date) -> EmailMultiAlternatives:
    """The reminder for `today` (the learner's local date), in their language, text and HTML."""
    reminder = reminder_for(enrollment, today)
    unsubscribe_url = absolute_url(reverse("progress:unsubscribe", args=[unsubscribe_token(enrollment)]))
    with translation.override(learner_language(enrollment)):
        context = {
            "kind": reminder.kind,
            "agenda": reminder.agenda,
            "enrollment": enrollment,
            "ov": reminder.agenda.overview,
            "user": enrollment.user,
            "today": today,
            "today_url": absolute_url(reverse("progress:today")),
            "unsubscribe_url": unsubscribe_url,
            "site_url": settings.SITE_URL,
            "language": translation.get_language(),
        }
        subject = " ".join(render_to_string("emails/reminder_subject.txt", context).split())
        text = render_to_string("emails/reminder.txt", context)
        html = render_to_string("emails/reminder.html", context)
    message = ReminderEmail(
        subject=subject,
        body=text,
        to=[enrollment.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to the URL, without cookies.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# --------------------------------------------------------------------------------------------------
# Sending a batch


class Outcome(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # 4xx or connection trouble: try again later
    PERMANENT = "permanent"  # 5xx: do not try again


def classify(exc: BaseException) -> Outcome:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return Outcome.TRANSIENT if codes and all(400 <= c < 500 for c in codes) else Outcome.PERMANENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return Outcome.TRANSIENT if 400 <= exc.smtp_code < 500 else Outcome.PERMANENT
    # Disconnects, refused connections, timeouts: the server may be fine in a minute.
    return Outcome.TRANSIENT


def breaks_connection(exc: BaseException) -> bool:
    return not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, in seconds, before attempt `attempts + 1`."""
    base = settings.REMINDER_RETRY_BASE_MS / 1000 * 2 ** max(attempts - 1, 0)
    return base * (1 + random.random() / 2)


@dataclass
class BatchResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # send again after retry_delay
    retry_delay: float = 0.0
    recheck: list[int] = field(default_factory=list)  # being sent elsewhere: look again once stale
    recheck_delay: float = 0.0


def claim(pk: int, now: datetime) -> bool:
    """Take row `pk` for sending: one conditional UPDATE, so exactly one worker wins it."""
    stale = now - timedelta(seconds=settings.REMINDER_STALE_SECONDS)
    return bool(
        ReminderDelivery.objects.filter(
            Q(status__in=[Status.PENDING, Status.RETRYING]) | Q(status=Status.SENDING, updated_at__lt=stale),
            pk=pk,
            attempts__lt=settings.REMINDER_MAX_ATTEMPTS,
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )


def _finish(pk: int, **fields: object) -> None:
    ReminderDelivery.objects.filter(pk=pk, status=Status.SENDING).update(updated_at=timezone.now(), **fields)


def _give_up_exhausted(ids: Sequence[int]) -> None:
    """Rows that used every attempt (e.g. a worker crashing on them again and again) are failed, not retried.

    A row still "sending" counts only once stale: a live worker may be sending its last attempt right now."""
    stale = timezone.now() - timedelta(seconds=settings.REMINDER_STALE_SECONDS)
    ReminderDelivery.objects.filter(
        Q(status__in=[Status.PENDING, Status.RETRYING]) | Q(status=Status.SENDING, updated_at__lt=stale),
        pk__in=ids,
        attempts__gte=settings.REMINDER_MAX_ATTEMPTS,
    ).update(
        status=Status.FAILED,
        error=Concat(F("error"), Value(" | gave up: every attempt used")),
        updated_at=timezone.now(),
    )


def send_batch(ids: Sequence[int], connection: BaseEmailBackend | None = None) -> BatchResult:
    """Send the reminders for delivery rows `ids` over ONE SMTP connection. Safe to run twice."""
    result = BatchResult()
    _give_up_exhausted(ids)
    deliveries = {
        d.pk: d
        for d in ReminderDelivery.objects.filter(pk__in=ids)
        .select_related("enrollment__plan", "enrollment__user__learner_profile")
        .prefetch_related("enrollment__schedule_changes", "enrollment__days_off")
    }
    # One backend instance for the whole batch (Django 6.1's mailers; get_connection() is deprecated).
    connection = connection or mailers.default
    opened = False
    # Claim the whole batch in one transaction: one conditional UPDATE per row tells which rows this run
    # won, and a single commit (not one per row) makes the claims durable before anything is sent.
    now = timezone.now()
    with transaction.atomic():
        # Ascending ids: two copies of a batch lock rows in the same order, so they cannot deadlock.
        won = {pk for pk in sorted(deliveries) if claim(pk, now)}
    for pk in ids:
        if pk in deliveries and pk not in won:
            _note_unclaimed(pk, result)
    remaining = [pk for pk in ids if pk in won]
    try:
        while remaining:
            pk = remaining.pop(0)
            delivery = deliveries[pk]
            try:
                message = build_message(delivery.enrollment, delivery.local_date)
            except NothingToSend as exc:
                # Things changed between the claim and now (a retry hours later): say why, send nothing.
                _finish(pk, status=Status.SKIPPED, error=str(exc))
                result.skipped.append(pk)
                continue
            except Exception as exc:
                # A bug or bad data will not fix itself on retry: record it for the admin and move on.
                log.exception("reminder %s could not be built", pk)
                _finish(pk, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
                result.failed.append(pk)
                continue
            try:
                if not opened:
                    connection.open()  # once per batch; every message below reuses it
                    opened = True
                connection.send_messages([message])
            except (smtplib.SMTPException, OSError) as exc:
                outcome = classify(exc)
                attempts = ReminderDelivery.objects.filter(pk=pk).values_list("attempts", flat=True).get()
                error = f"attempt {attempts}: {type(exc).__name__}: {exc}"[:2000]
                if outcome == Outcome.PERMANENT or attempts >= settings.REMINDER_MAX_ATTEMPTS:
                    _finish(pk, status=Status.FAILED, error=error)
                    result.failed.append(pk)
                else:
                    _finish(pk, status=Status.RETRYING, error=error)
                    result.retry.append(pk)
                    result.retry_delay = max(result.retry_delay, retry_delay(attempts))
                log_event(log, "reminder_failed", level=logging.WARNING, delivery=pk, outcome=outcome, error=error)
                if breaks_connection(exc):
                    # The connection is gone: the rest of the batch waits for the retry too, handed back
                    # with the attempt they did not get.
                    connection.close()
                    opened = False
                    ReminderDelivery.objects.filter(pk__in=remaining, status=Status.SENDING).update(
                        status=Status.RETRYING, attempts=F("attempts") - 1, updated_at=timezone.now()
                    )
                    result.retry.extend(remaining)
                    result.retry_delay = max(result.retry_delay, retry_delay(attempts))
                    remaining = []
                continue
            _finish(pk, status=Status.SENT, sent_at=timezone.now(), error="")
            result.sent.append(pk)
            # One structured line per reminder sent, for log-based counting and alerting.
            log_event(
                log, "reminder_sent", delivery=pk, enrollment=delivery.enrollment_id, local_date=delivery.local_date
            )
    finally:
        if opened:
            connection.close()
    return result


def _note_unclaimed(pk: int, result: BatchResult) -> None:
    row = ReminderDelivery.objects.filter(pk=pk).values("status", "updated_at").first()
    if row and row["status"] == Status.SENDING:
        # Another worker has it right now (a duplicated message), or a dead one had it: look again once it
        # would count as stale, so the learner gets their email either way.
        result.recheck.append(pk)
        age = (timezone.now() - row["updated_at"]).total_seconds()
        result.recheck_delay = max(result.recheck_delay, settings.REMINDER_STALE_SECONDS - age + 1)
    else:
        result.skipped.append(pk)


def resend(ids: Iterable[int]) -> int:
    """Put failed deliveries back in line with fresh attempts (the admin action). Returns how many."""
    return ReminderDelivery.objects.filter(pk__in=list(ids), status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, updated_at=timezone.now()
    )
