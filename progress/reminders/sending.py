"""Sending a batch of claimed reminders over its SMTP connections, and what happens when sending fails.

A batch first claims its rows (see the package docstring for why that makes sending at most once), then
sends its emails over a few connections at once from one thread (building the next ones while the servers
answer: `_send_claimed`, progress.reminders.interleave) and records each outcome as soon as it is known.
Failures are classified: a 4xx reply or a dropped connection is retried later with exponential backoff, a
5xx reply fails the row for good, and a lost connection (or a 421 reply, which closes it) hands the rest of
the batch back for the same retry.
"""

from __future__ import annotations

import inspect
import logging
import random
import select
import smtplib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Model, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from config.logging_utils import log_event
from progress.compiled import among
from progress.models import ReminderDelivery
from progress.reminders import batch, interleave
from progress.reminders.interleave import Steps
from progress.reminders.marks import SentMarks
from progress.reminders.message import NothingToSend
from progress.reminders.wire import wire_bytes

log = logging.getLogger(__name__)

Status = ReminderDelivery.Status


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
    """Whether the connection is gone: anything but a reply, or a 421 reply (the server is closing it, and
    smtplib closes it too), after which the rest of the batch goes back untried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return True


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, in seconds, before attempt `attempts + 1`."""
    base = settings.REMINDER_RETRY_BASE_MS / 1000 * 2 ** max(attempts - 1, 0)
    return base * (1 + random.random() / 2)


@dataclass(frozen=True)
class Outbox:
    """A kind of email sent by these rules: its delivery model (status, attempts, sent_at, error and
    updated_at columns, `ReminderDelivery.Status` values), how a batch's rows are loaded, how one row's
    email is built (raising NothingToSend to skip it), and the log events' prefix. Nudges are the other kind.
    """

    model: type[Model]
    load: Callable[[Sequence[int]], dict[int, Any]]
    build: Callable[[Any], EmailMessage]
    event: str
    about: Callable[[Any], dict[str, Any]]  # the row's own fields for the "sent" log line
    # `build` in steps, run while the SMTP server answers (progress.reminders.interleave); None: one step.
    steps: Callable[[Any], Steps] | None = None

    def build_steps(self, row: Any) -> Steps:
        if self.steps is not None:
            return self.steps(row)
        return _one_step(self.build, row)

    @property
    def rows(self) -> Any:
        return self.model._default_manager


@dataclass
class BatchResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)  # send again after retry_delay
    retry_delay: float = 0.0
    recheck: list[int] = field(default_factory=list)  # being sent elsewhere: look again once stale
    recheck_delay: float = 0.0

    def retry_later(self, ids: Iterable[int], attempts: int) -> None:
        """Rows to send again; the batch's delay is the longest backoff any of its rows needs."""
        self.retry.extend(ids)
        self.retry_delay = max(self.retry_delay, retry_delay(attempts))


class BatchConnection:
    """A connection a batch sends over: opened by the first message sent over it (a batch with nothing to
    send connects to nobody) and closed when the `with` block ends, however the batch ends."""

    def __init__(self, backend: BaseEmailBackend) -> None:
        self.backend = backend
        # The sender's address as the SMTP envelope gives it: parsed once per batch, not once per email (the
        # header parser costs a fifth of what building the email does).
        self._senders: dict[str, str] = {}
        # Messages' bytes written ahead, while the server answered an earlier email (`prepared`).
        self._wire: dict[EmailMessage, bytes | None] = {}

    def __enter__(self) -> BatchConnection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def talk(self, message: EmailMessage, before_message: Callable[[], None] = lambda: None) -> interleave.Talk:
        """Send `message`: a conversation that pauses after each SMTP command it writes (interleave.talk) and
        calls `before_message()` just before the message itself is written, after the server said it would
        take it; without pauses (nothing to wait for) when the backend sends in one go."""
        # Django's backends open a connection only when none is open (that is how open() lets several
        # messages share one), so this connects for the first message and reuses it for the rest.
        backend = self.backend
        backend.open()
        raw = self._wire.pop(message) if message in self._wire else self._bytes(message)
        if raw is None or not isinstance(backend, SmtpBackend) or backend.connection is None:
            before_message()  # the message goes at once: no mark may be left unread past it
            backend.send_messages([message])
            return
        # The same bytes Django would send, written without its header objects (progress.reminders.wire).
        sender = self._senders.get(message.from_email)
        if sender is None:
            sender = self._senders[message.from_email] = backend.prep_address(message.from_email)
        yield from interleave.talk(backend.connection, sender, message.recipients(), raw, before_message)

    def another(self, backend: BaseEmailBackend) -> BatchConnection:
        """A second connection of the same batch, over `backend`: it sends the messages this one built ahead."""
        other = BatchConnection(backend)
        other._senders, other._wire = self._senders, self._wire
        return other

    def drop(self) -> None:
        """Close the SMTP connection without a QUIT (`close` says goodbye first)."""
        connection = getattr(self.backend, "connection", None)
        if connection is not None:
            connection.close()

    def opened(self, event: str) -> bool:
        """Open the connection if it is not (as the first message would); False, logged, if the server
        refuses it or cannot be reached."""
        try:
            self.backend.open()
        except (smtplib.SMTPException, OSError) as exc:
            log_event(log, f"{event}_connection_refused", level=logging.WARNING, error=f"{type(exc).__name__}: {exc}")
            self.drop()
            return False
        return True

    def timeout(self) -> float | None:
        """The open connection's timeout in seconds (None: none)."""
        sock = self.socket()
        return None if sock is None else sock.gettimeout()

    def socket(self) -> Any:
        """The open SMTP connection's socket (None when none is open)."""
        connection = getattr(self.backend, "connection", None)
        return getattr(connection, "sock", None)

    def prepared(self, steps: Steps) -> Steps:
        """`steps`, and one step more that writes the message's bytes, so that they too are made while the
        server answers an earlier email."""
        message = yield from steps
        yield
        self._wire[message] = self._bytes(message)
        return message

    def interleaves(self) -> bool:
        """Whether messages go over smtplib with pauses for other work (else in one go, through any backend)."""
        return isinstance(self.backend, SmtpBackend)

    def _bytes(self, message: EmailMessage) -> bytes | None:
        return wire_bytes(message) if self.interleaves() else None

    def close(self) -> None:
        self.backend.close()  # a no-op when nothing is open


def _one_step(build: Callable[[Any], EmailMessage], row: Any) -> Steps:
    return build(row)
    yield  # a generator that returns at once


def _unattended(now: datetime) -> Q:
    """Rows nobody is sending at `now`: pending, retrying, or "sending" for longer than a send can take."""
    stale = now - timedelta(seconds=settings.REMINDER_STALE_SECONDS)
    return Q(status__in=[Status.PENDING, Status.RETRYING]) | Q(status=Status.SENDING, updated_at__lt=stale)


def claim(pks: Iterable[int], now: datetime, box: Outbox | None = None) -> set[int]:
    """Take rows `pks` for sending; the ids this run won. Exactly one worker wins each row.

    Two queries whatever the number of rows, in one transaction whose commit makes the claims durable before
    anything is sent: SELECT ... FOR UPDATE of the rows nobody is sending, in ascending id order (two copies
    of a batch lock rows in the same order, so they cannot deadlock; a copy that waited re-reads each row
    once the other commits and finds it taken), then one UPDATE of exactly those rows. The UPDATE repeats the
    condition, so on SQLite too, which has no row locks, a row already taken is never taken twice."""
    rows = (box or REMINDERS).rows
    with transaction.atomic():
        unattended = rows.filter(_unattended(now), pk__in=among(list(pks)), attempts__lt=settings.REMINDER_MAX_ATTEMPTS)
        won = list(unattended.select_for_update().order_by("pk").values_list("pk", flat=True))
        if won:
            unattended.filter(pk__in=among(won)).update(
                status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
            )
    return set(won)


@contextmanager
def _quick_commits() -> Iterator[None]:
    """Record outcomes without waiting for PostgreSQL's disk flush (synchronous_commit off, this connection
    only, for the send loop). A row marked sent is visible to every other worker at once and survives a
    worker killed right after, as the at-most-once rule needs; only a crash of the database server itself can
    lose the last fraction of a second of marks (those learners could get their email twice). Waiting for the
    flush after every email costs more than sending it. The claims were committed before this, durably."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _finish(box: Outbox, pk: int, **fields: object) -> None:
    box.rows.filter(pk=pk, status=Status.SENDING).update(updated_at=timezone.now(), **fields)


def _give_up_exhausted(ids: Sequence[int], box: Outbox) -> None:
    """Rows that used every attempt (e.g. a worker crashing on them again and again) are failed, not retried.

    A row still "sending" counts only once stale: a live worker may be sending its last attempt right now."""
    box.rows.filter(
        _unattended(timezone.now()),
        pk__in=among(ids),
        attempts__gte=settings.REMINDER_MAX_ATTEMPTS,
    ).update(
        status=Status.FAILED,
        error=Concat(F("error"), Value(" | gave up: every attempt used")),
        updated_at=timezone.now(),
    )


def send_batch(
    ids: Sequence[int], connection: BaseEmailBackend | None = None, box: Outbox | None = None
) -> BatchResult:
    """Send the emails (reminders unless `box` says otherwise) for delivery rows `ids` over the batch's few
    SMTP connections (REMINDER_SMTP_CONNECTIONS; one with a `connection` handed in). Safe to run twice."""
    box = box or REMINDERS
    result = BatchResult()
    _give_up_exhausted(ids, box)
    deliveries = box.load(ids)
    # One backend instance for the whole batch (Django 6.1's mailers; get_connection() is deprecated).
    backend = connection or mailers.default
    won = claim(deliveries, timezone.now(), box)
    _note_unclaimed(box, [pk for pk in ids if pk in deliveries and pk not in won], result)
    queue = [deliveries[pk] for pk in ids if pk in won]
    with BatchConnection(backend) as smtp, ExitStack() as others, _quick_commits():
        lanes = [smtp]
        # More connections only from the configured mailer (a backend handed in is one connection), over SMTP,
        # and for a batch with more than one email to share among them; each opens when its first email goes.
        if connection is None and smtp.interleaves():
            extra = min(settings.REMINDER_SMTP_CONNECTIONS, len(queue)) - 1
            lanes += [others.enter_context(smtp.another(mailers.default)) for _ in range(extra)]
        _send_claimed(box, queue, lanes, result)
    return result


class _Lane:
    """One SMTP connection of a batch, and the email on its way over it (`talk`, between its commands)."""

    __slots__ = ("accepted", "deadline", "extra", "row", "smtp", "talking", "written")

    def __init__(self, smtp: BatchConnection, *, extra: bool) -> None:
        self.smtp = smtp
        self.extra = extra  # a connection beyond the first: one the server refuses is given up, not failed
        self.row: Any = None
        self.talking: interleave.Talk | None = None
        self.written = False  # the email's message is written: only its last reply is awaited
        self.accepted = False  # the server took the email: its mark is still to be written
        self.deadline: float | None = None  # when the reply awaited is late (the connection's timeout)

    def wait_from_now(self) -> None:
        timeout = self.smtp.timeout()
        self.deadline = None if timeout is None else time.monotonic() + timeout


def _send_claimed(box: Outbox, queue: list[Any], connections: list[BatchConnection], result: BatchResult) -> None:
    """Send the claimed rows' emails, each over the first of `connections` free for it, recording each outcome
    as soon as it is known, and build the next ones while the SMTP servers answer.

    One thread: each connection's conversation pauses after every command it writes (interleave.talk), and
    is taken up again once its reply is there; meanwhile the next emails are built, or another connection's
    reply read. With two connections the server reads one's command while this process answers the other's
    reply. Each "sent" mark is written when its email is accepted; its answer is read while the next commands
    travel, and always before any email's message is written (progress.reminders.marks). A connection that
    breaks (a 421, a lost connection, a reply later than its timeout) stops the batch: the emails on their way
    over the others are finished, and the rest go back for the same retry with the attempt they did not get.
    A connection beyond the first that cannot be opened (a server limiting connections) is done without."""
    if not queue:
        return
    marks = SentMarks(box.model._meta.db_table, str(Status.SENT), str(Status.SENDING))
    marks.ready()
    ahead = interleave.Ahead(queue, lambda row: connections[0].prepared(box.build_steps(row)))
    lanes = [_Lane(smtp, extra=i > 0) for i, smtp in enumerate(connections)]
    broken: list[int] = []  # the attempts of the email whose connection broke

    def between() -> bool:
        # No build step while a mark is in flight (a query of one would find the connection busy): until its
        # answer is there, the SMTP replies are simply awaited, and the mark read at the next command. Nothing
        # more is built once the batch is stopping.
        if broken or not marks.answered():
            return False
        marks.settle()
        return ahead.step()

    def start(lane: _Lane) -> None:
        if not ahead.built() or not lane.smtp.interleaves():
            marks.settle()  # `next()` is about to build, or the backend sends without pauses (and may query)
        delivery, message, failure = ahead.next()
        if message is None:
            marks.settle()
            _build_failed(box, delivery, failure, result)
            return

        def before_message() -> None:
            marks.settle()
            lane.written = True

        lane.row, lane.talking = delivery, lane.smtp.talk(message, before_message)
        lane.written = lane.accepted = False
        go_on(lane)

    def go_on(lane: _Lane, late: bool = False) -> None:
        """The next step of the lane's conversation: its reply read and the next command written, or the end;
        `late`: the reply did not come in time, which fails the email as smtplib's timeout would."""
        assert lane.talking is not None
        try:
            if late:
                lane.talking.throw(TimeoutError("the SMTP server did not answer in time"))
            else:
                next(lane.talking)
            lane.wait_from_now()
            return
        except StopIteration:
            # An earlier email's failed mark raises here, while this lane still holds its accepted email for
            # `_wind_up` to mark.
            lane.accepted = True
            marks.settle()
            lane.talking = None
            marks.send(lane.row.pk)
            _record_sent(box, lane.row, result)
        except (smtplib.SMTPException, OSError) as exc:
            lane.talking = None
            marks.settle()
            attempts = _record_failure(box, lane.row.pk, exc, result)
            if breaks_connection(exc):
                # Without a QUIT: the connection is lost, closed by the server, or not answering (a QUIT
                # would wait for its reply as long again).
                lane.smtp.drop()
                lane.smtp.close()
                broken.append(attempts)

    try:
        while True:
            for lane in list(lanes):
                while lane.talking is None and not broken and ahead:
                    if lane.extra and not lane.smtp.opened(box.event):
                        lanes.remove(lane)
                        break
                    start(lane)
            talking = [lane for lane in lanes if lane.talking is not None]
            if not talking:
                break
            ready, late = _replied(talking, wait=False)
            if not ready and between():
                continue
            if not ready:
                ready, late = _replied(talking, wait=True)
            for lane in ready:
                go_on(lane)
            for lane in late:
                go_on(lane, late=True)
    except BaseException:
        marks.abandon()
        _wind_up(lanes, marks)
        raise
    marks.settle()
    if broken:
        _hand_back(box, [d.pk for d in ahead.rest()], broken[0], result)


def _wind_up(lanes: list[_Lane], marks: SentMarks) -> None:
    """The batch is failing: any conversation whose message is not written is dropped without a QUIT (after
    DATA the server would read one as part of the message), its email unsent; then an email the server took,
    or whose message is written and waits for its reply, is finished and marked sent if the server takes it
    (else it would stay "sending" and be sent again once stale). One whose conversation raised is left
    "sending", dropped."""
    for lane in lanes:
        if lane.talking is not None and not lane.written:
            lane.smtp.drop()
            lane.talking = None
    for lane in lanes:
        if lane.talking is None:
            continue
        if not lane.accepted and inspect.getgeneratorstate(lane.talking) != inspect.GEN_SUSPENDED:
            # The conversation ended by raising (cut off mid-message, say): not known to be delivered, and a
            # QUIT now could be read as part of the message.
            lane.smtp.drop()
            continue
        try:
            for _ in lane.talking:  # the last reply, unless it came already
                pass
            marks.send(lane.row.pk)
            marks.settle()
        except Exception:
            log.exception("an email sent while the batch was failing could not be finished")
            marks.abandon()


def _replied(lanes: list[_Lane], *, wait: bool) -> tuple[list[_Lane], list[_Lane]]:
    """The lanes whose reply is there, and those whose reply is late (past their deadline); with `wait`,
    waits until one of either, without a limit when no connection has a timeout (as smtplib would)."""
    ready = [lane for lane in lanes if interleave.pending(lane.smtp.socket())]
    if ready:
        return ready, []
    poller = select.poll()
    by_fd = {}
    for lane in lanes:
        sock = lane.smtp.socket()
        try:
            poller.register(sock, select.POLLIN)
            by_fd[sock.fileno()] = lane
        except (OSError, ValueError, TypeError, AttributeError):  # closed: reading its reply says so
            return [lane], []
    timeout: float | None = 0
    if wait:
        deadlines = [lane.deadline for lane in lanes if lane.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) * 1000 if deadlines else None
    ready = [by_fd[fd] for fd, _ in poller.poll(timeout)]
    now = time.monotonic()
    late = [lane for lane in lanes if lane not in ready and lane.deadline is not None and lane.deadline <= now]
    return ready, late if wait or ready else []


def _build_failed(box: Outbox, delivery: Any, exc: BaseException | None, result: BatchResult) -> None:
    """The row's email could not be built: the row is finished as skipped or failed, as no retry would
    change it."""
    pk = delivery.pk
    if isinstance(exc, NothingToSend):
        # Things changed between the claim and now (a retry hours later): say why, send nothing.
        _finish(box, pk, status=Status.SKIPPED, error=str(exc))
        result.skipped.append(pk)
        return
    # A bug or bad data will not fix itself on retry: record it for the admin and move on.
    log.error("%s %s could not be built", box.event, pk, exc_info=exc)
    _finish(box, pk, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
    result.failed.append(pk)


def _record_sent(box: Outbox, delivery: Any, result: BatchResult) -> None:
    result.sent.append(delivery.pk)
    # One structured line per email sent, for log-based counting and alerting.
    log_event(log, f"{box.event}_sent", delivery=delivery.pk, enrollment=delivery.enrollment_id, **box.about(delivery))


def _record_failure(box: Outbox, pk: int, exc: BaseException, result: BatchResult) -> int:
    """Fail the row for good or put it up for a retry, by the kind of failure; returns its attempts so far."""
    outcome = classify(exc)
    attempts = box.rows.filter(pk=pk).values_list("attempts", flat=True).get()
    error = f"attempt {attempts}: {type(exc).__name__}: {exc}"[:2000]
    if outcome == Outcome.PERMANENT or attempts >= settings.REMINDER_MAX_ATTEMPTS:
        _finish(box, pk, status=Status.FAILED, error=error)
        result.failed.append(pk)
    else:
        _finish(box, pk, status=Status.RETRYING, error=error)
        result.retry_later([pk], attempts)
    log_event(log, f"{box.event}_failed", level=logging.WARNING, delivery=pk, outcome=outcome, error=error)
    return attempts


def _hand_back(box: Outbox, pks: list[int], attempts: int, result: BatchResult) -> None:
    """The connection is gone: the rest of the batch waits for the retry too, handed back with the attempt
    they did not get."""
    box.rows.filter(pk__in=among(pks), status=Status.SENDING).update(
        status=Status.RETRYING, attempts=F("attempts") - 1, updated_at=timezone.now()
    )
    result.retry_later(pks, attempts)


def _note_unclaimed(box: Outbox, pks: list[int], result: BatchResult) -> None:
    """The rows of the batch this run did not win (one query for all of them)."""
    if not pks:
        return
    now = timezone.now()
    found = {
        pk: (status, at)
        for pk, status, at in box.rows.filter(pk__in=among(pks)).values_list("pk", "status", "updated_at")
    }
    for pk in pks:
        status, updated_at = found.get(pk, ("", now))
        if status == Status.SENDING:
            # Another worker has it right now (a duplicated message), or a dead one had it: look again once it
            # would count as stale, so the learner gets their email either way.
            result.recheck.append(pk)
            age = (now - updated_at).total_seconds()
            result.recheck_delay = max(result.recheck_delay, settings.REMINDER_STALE_SECONDS - age + 1)
        else:
            result.skipped.append(pk)


def resend(ids: Iterable[int], box: Outbox | None = None) -> int:
    """Put failed deliveries back in line with fresh attempts (the admin action). Returns how many."""
    return (
        (box or REMINDERS)
        .rows.filter(pk__in=list(ids), status=Status.FAILED)
        .update(status=Status.PENDING, attempts=0, updated_at=timezone.now())
    )


REMINDERS = Outbox(
    ReminderDelivery, batch.load, batch.build, "reminder", lambda d: {"local_date": d.local_date}, batch.steps
)
