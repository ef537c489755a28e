"""Fan-out and batches against a real SMTP server (aiosmtpd): once per learner per day, one connection per
batch, enqueue after commit, transient failures retried, permanent ones recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.management import call_command

from curriculum.models import Plan, Task
from progress.models import Enrollment, ReminderDelivery, ScheduleChange, TaskCompletion
from progress.reminders.fanout import FanOut, fan_out
from progress.reminders.sending import send_batch
from tests.concurrency import run_at_once
from tests.progress.reminder_helpers import SmtpServer, enroll, learners

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status
MONDAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # 12:00 on Wednesday in Shanghai


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOON, tick=False) as t:
        yield t


def five(make_user: Callable[..., User], plan: Plan) -> list[Enrollment]:
    return [enroll(u, plan, start=MONDAY, at=dtime(8, 0)) for u in learners(make_user, 5)]


def run_fan_out(capture: Callable[..., Any]) -> FanOut:
    with capture(execute=True):
        return fan_out(enqueue=lambda ids: send_batch(ids))


def test_fan_out_twice_sends_one_email_each(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    enrollments = five(make_user, plan)
    assert run_fan_out(django_capture_on_commit_callbacks).claimed == 5
    assert run_fan_out(django_capture_on_commit_callbacks).claimed == 0
    for e in enrollments:
        assert len(server.sink.to(e.user.email)) == 1
    assert set(ReminderDelivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_duplicated_batch_sends_nothing_twice(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    five(make_user, plan)
    batches: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=True):
        fan_out(enqueue=batches.append)
    first = send_batch(batches[0])
    again = send_batch(batches[0])
    assert len(first.sent) == 5
    assert again.sent == [] and len(again.skipped) == 5
    assert len(server.sink.messages) == 5


@pytest.mark.parametrize("connections", [1, 2, 3])
def test_each_batch_has_its_own_few_connections(
    make_user: Callable[..., User],
    plan: Plan,
    server: SmtpServer,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    connections: int,
) -> None:
    settings.REMINDER_BATCH_SIZE = 2
    settings.REMINDER_SMTP_CONNECTIONS = connections
    five(make_user, plan)
    fan = run_fan_out(django_capture_on_commit_callbacks)
    assert [len(b) for b in fan.batches] == [2, 2, 1]
    assert len(server.sink.messages) == 5
    # Per batch, one SMTP session per connection it uses (never more than its emails), not per email.
    assert server.sink.sessions == {1: 3, 2: 5, 3: 5}[connections]


def test_it_enqueues_only_after_commit(
    make_user: Callable[..., User], plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    five(make_user, plan)
    enqueued: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fan_out(enqueue=enqueued.append)
        assert enqueued == []  # rows are not visible to a worker yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(pk for b in enqueued for pk in b) == sorted(ReminderDelivery.objects.values_list("pk", flat=True))


def test_rows_are_claimed_pending_before_anything_is_sent(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    five(make_user, plan)
    with django_capture_on_commit_callbacks(execute=False):
        fan_out(enqueue=lambda ids: None)
    assert set(ReminderDelivery.objects.values_list("status", "local_date")) == {(Status.PENDING, date(2026, 3, 4))}
    assert server.sink.messages == []


def delivery(alice: User, plan: Plan) -> ReminderDelivery:
    e = enroll(alice, plan, start=MONDAY)
    return ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4))


def test_451_twice_then_250_gives_one_delivery(
    alice: User, plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable, settings: Any
) -> None:
    settings.REMINDER_RETRY_BASE_MS = 1000
    server = smtp(codes=["451 4.3.0 try later", "451 4.3.0 try later"])
    smtp_settings(server)
    d = delivery(alice, plan)
    first = send_batch([d.pk])
    assert first.retry == [d.pk] and 1.0 <= first.retry_delay <= 1.5
    second = send_batch(first.retry)
    assert second.retry == [d.pk] and 2.0 <= second.retry_delay <= 3.0  # exponential
    third = send_batch(second.retry)
    assert third.sent == [d.pk]
    d.refresh_from_db()
    assert (d.status, d.attempts, d.error) == (Status.SENT, 3, "")
    assert len(server.sink.messages) == 1


def test_550_is_not_retried_and_is_recorded(
    alice: User, plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable
) -> None:
    server = smtp(codes=["550 5.1.1 no such user"])
    smtp_settings(server)
    d = delivery(alice, plan)
    result = send_batch([d.pk])
    assert result.failed == [d.pk] and result.retry == []
    d.refresh_from_db()
    assert (d.status, d.attempts) == (Status.FAILED, 1)
    assert "550" in d.error and "no such user" in d.error
    assert send_batch([d.pk]).sent == []  # a failed row is not sent by a stray copy of the task
    assert server.sink.data_commands == 1


def test_a_refused_connection_is_retried_for_the_whole_batch(
    make_user: Callable[..., User], plan: Plan, smtp_settings: Callable, settings: Any
) -> None:
    dead = SmtpServer.__new__(SmtpServer)
    dead.port = 9  # discard port on loopback: nothing listens, connection refused
    smtp_settings(dead)
    enrollments = five(make_user, plan)
    ids = [ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4)).pk for e in enrollments]
    result = send_batch(ids)
    assert sorted(result.retry) == sorted(ids)
    rows = dict(ReminderDelivery.objects.values_list("pk", "attempts"))
    assert rows[ids[0]] == 1 and all(rows[pk] == 0 for pk in ids[1:])  # only the one tried counts
    assert ReminderDelivery.objects.get(pk=ids[0]).status == Status.RETRYING


def test_it_gives_up_after_the_last_attempt(
    alice: User, plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable, settings: Any
) -> None:
    settings.REMINDER_MAX_ATTEMPTS = 2
    server = smtp(codes=["421 4.7.0 busy"] * 5)
    smtp_settings(server)
    d = delivery(alice, plan)
    assert send_batch([d.pk]).retry == [d.pk]
    assert send_batch([d.pk]).failed == [d.pk]
    d.refresh_from_db()
    assert (d.status, d.attempts) == (Status.FAILED, 2)


def test_a_row_left_sending_by_a_dead_worker_is_sent_once_stale(
    alice: User, plan: Plan, server: SmtpServer, settings: Any, frozen: Any
) -> None:
    d = delivery(alice, plan)
    ReminderDelivery.objects.filter(pk=d.pk).update(status=Status.SENDING, attempts=1)
    fresh = send_batch([d.pk])
    assert fresh.sent == [] and fresh.recheck == [d.pk]  # maybe another worker is sending it right now
    assert 0 < fresh.recheck_delay <= settings.REMINDER_STALE_SECONDS + 1
    frozen.shift(timedelta(seconds=settings.REMINDER_STALE_SECONDS + 1))
    assert send_batch([d.pk]).sent == [d.pk]
    d.refresh_from_db()
    assert (d.status, d.attempts) == (Status.SENT, 2)
    assert len(server.sink.messages) == 1


def test_the_next_fan_out_sweeps_up_stuck_rows(
    alice: User, plan: Plan, settings: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    d = delivery(alice, plan)  # pending, but its message was lost (e.g. broker down at enqueue)
    enqueued: list[list[int]] = []
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out(enqueue=enqueued.append).swept == 0
    frozen.shift(timedelta(seconds=settings.REMINDER_STALE_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out(enqueue=enqueued.append).swept == 1
    assert enqueued == [[d.pk]]


def test_send_reminders_command_sends_in_process(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    five(make_user, plan)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("5 reminders sent, 0 failed")
    assert len(server.sink.messages) == 5
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("0 reminders sent")
    assert len(server.sink.messages) == 5


def test_send_reminders_with_no_enrollments_sends_nothing_and_says_so(server: SmtpServer) -> None:
    out = StringIO()

    call_command("send_reminders", "--no-wait", stdout=out)

    assert out.getvalue().startswith("0 reminders sent, 0 failed (0 due")
    assert not ReminderDelivery.objects.exists()
    assert server.sink.messages == []


def test_a_row_crashing_its_worker_on_every_attempt_ends_failed(
    alice: User, plan: Plan, server: SmtpServer, settings: Any, frozen: Any
) -> None:
    d = delivery(alice, plan)
    ReminderDelivery.objects.filter(pk=d.pk).update(status=Status.SENDING, attempts=settings.REMINDER_MAX_ATTEMPTS)
    assert send_batch([d.pk]).sent == []  # fresh: maybe its last attempt is under way elsewhere
    d.refresh_from_db()
    assert d.status == Status.SENDING
    frozen.shift(timedelta(seconds=settings.REMINDER_STALE_SECONDS + 1))
    assert send_batch([d.pk]).sent == []
    d.refresh_from_db()
    assert d.status == Status.FAILED
    assert "gave up" in d.error
    assert server.sink.messages == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_batch_send_each_email_once(
    postgres: None, make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    """Real concurrency on PostgreSQL: two threads (two connections) run the same batch at once."""
    enrollments = five(make_user, plan)
    ids = [ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4)).pk for e in enrollments]

    results = run_at_once(*[lambda: send_batch(ids)] * 2)

    assert len(results) == 2
    assert sorted(pk for r in results for pk in r.sent) == sorted(ids)  # each row sent by exactly one
    for e in enrollments:
        assert len(server.sink.to(e.user.email)) == 1


def test_a_learner_who_unsubscribed_after_the_claim_gets_nothing(alice: User, plan: Plan, server: SmtpServer) -> None:
    d = delivery(alice, plan)
    Enrollment.objects.filter(pk=d.enrollment_id).update(reminders_enabled=False)
    result = send_batch([d.pk])
    assert result.skipped == [d.pk] and result.sent == []
    d.refresh_from_db()
    assert (d.status, d.error) == (Status.SKIPPED, "reminders were turned off")
    assert server.sink.messages == []
    assert send_batch([d.pk]).sent == []  # and a skipped row stays skipped


def test_a_plan_finished_since_the_claim_sends_nothing(alice: User, plan: Plan, server: SmtpServer) -> None:
    d = delivery(alice, plan)
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=d.enrollment, task=t) for t in Task.objects.all())
    assert send_batch([d.pk]).skipped == [d.pk]
    d.refresh_from_db()
    assert (d.status, d.error) == (Status.SKIPPED, "no reminder on this date: the plan is finished")
    assert server.sink.messages == []


def test_a_learner_who_paused_since_the_claim_gets_nothing(alice: User, plan: Plan, server: SmtpServer) -> None:
    d = delivery(alice, plan)
    ScheduleChange.objects.create(enrollment=d.enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=d.local_date)
    assert send_batch([d.pk]).skipped == [d.pk]
    d.refresh_from_db()
    assert d.status == Status.SKIPPED
    assert d.error == "no reminder on this date: the plan is paused"
    assert server.sink.messages == []


def test_a_batch_with_nothing_left_to_send_does_not_need_the_mail_server(
    alice: User, plan: Plan, smtp_settings: Callable
) -> None:
    dead = SmtpServer.__new__(SmtpServer)
    dead.port = 9  # discard port on loopback: connecting would be refused
    smtp_settings(dead)
    d = delivery(alice, plan)
    Enrollment.objects.filter(pk=d.enrollment_id).update(reminders_enabled=False)
    result = send_batch([d.pk])  # the connection opens with the first message actually sent: never here
    assert (result.skipped, result.retry) == ([d.pk], [])
    assert ReminderDelivery.objects.get(pk=d.pk).status == Status.SKIPPED


def test_a_batch_closes_its_connection_when_it_ends(
    make_user: Callable[..., User], plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable
) -> None:
    server = smtp(codes=["451 4.3.0 try later"])  # a refusal that keeps the connection for the next email
    smtp_settings(server)
    ids = [ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4)).pk for e in five(make_user, plan)]
    backend = mailers.default
    assert isinstance(backend, SmtpBackend)
    result = send_batch(ids, connection=backend)
    assert (len(result.retry), len(result.sent), server.sink.sessions) == (1, 4, 1)
    assert backend.connection is None  # closed: the server is not left holding an idle session


def test_a_421_hands_the_rest_of_the_batch_back_without_using_their_attempts(
    make_user: Callable[..., User],
    plan: Plan,
    smtp: Callable[..., SmtpServer],
    smtp_settings: Callable,
    settings: Any,
) -> None:
    """421: the server is closing the connection (smtplib closes it too). The email it refused is retried; the
    others never reached the server, so they go back with the attempt they did not get, not failed one by one
    on a closed connection. (One connection; with two, see test_reminder_lanes.)"""
    settings.REMINDER_SMTP_CONNECTIONS = 1
    server = smtp(codes=["421 4.7.0 closing"])
    smtp_settings(server)
    ids = [ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4)).pk for e in five(make_user, plan)]
    result = send_batch(ids)
    assert (sorted(result.retry), result.sent, result.failed, server.sink.data_commands) == (sorted(ids), [], [], 1)
    attempts = dict(ReminderDelivery.objects.values_list("pk", "attempts"))
    assert attempts[ids[0]] == 1 and all(attempts[pk] == 0 for pk in ids[1:])
    assert sorted(send_batch(ids).sent) == sorted(ids)
    assert len(server.sink.messages) == 5
