"""A batch over several SMTP connections at once, from one thread (settings.REMINDER_SMTP_CONNECTIONS), against
a real SMTP server (aiosmtpd): each email still sent once and marked, a broken connection still hands the
rest back, and a failing batch leaves no email delivered without its mark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.contrib.auth.models import User
from django.db import DatabaseError

from curriculum.models import Plan
from progress.models import ReminderDelivery
from progress.reminders import batch
from progress.reminders.sending import REMINDERS, Outbox, send_batch
from tests.progress.reminder_helpers import Sink, SmtpServer, enroll, learners

# Wednesday noon in Shanghai, frozen for every test here too.
from tests.progress.test_fanout import MONDAY, frozen  # noqa: F401
from tests.progress.test_reminder_marks import refuse_mark_of  # noqa: F401

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def due_rows(make_user: Callable[..., User], plan: Plan, n: int) -> list[int]:
    people = [enroll(u, plan, start=MONDAY) for u in learners(make_user, n)]
    return [ReminderDelivery.objects.create(enrollment=e, local_date=date(2026, 3, 4)).pk for e in people]


def recipients(server: SmtpServer) -> list[str]:
    return sorted(str(m["To"]) for m in server.sink.messages)


def sent_to(ids: list[int]) -> list[str]:
    rows = ReminderDelivery.objects.filter(pk__in=ids, status=Status.SENT)
    return sorted(rows.values_list("enrollment__user__email", flat=True))


@pytest.mark.parametrize("connections", [1, 2])
def test_the_connections_carry_that_many_emails_at_once(
    make_user: Callable[..., User],
    plan: Plan,
    smtp: Callable[..., SmtpServer],
    smtp_settings: Callable,
    settings: Any,
    connections: int,
) -> None:
    settings.REMINDER_SMTP_CONNECTIONS = connections
    server = smtp(delay=0.05)  # each message answered late: the other connection's is read meanwhile
    smtp_settings(server)
    ids = due_rows(make_user, plan, 6)
    result = send_batch(ids)
    assert sorted(result.sent) == sorted(ids)
    assert (server.sink.sessions, server.sink.most_in_data) == (connections, connections)
    assert recipients(server) == sent_to(ids) == sorted(f"learner{i}@example.com" for i in range(6))
    assert not ReminderDelivery.objects.filter(pk__in=ids, sent_at__isnull=True).exists()


def test_one_email_opens_one_connection(alice: User, plan: Plan, server: SmtpServer, settings: Any) -> None:
    settings.REMINDER_SMTP_CONNECTIONS = 3
    d = ReminderDelivery.objects.create(enrollment=enroll(alice, plan, start=MONDAY), local_date=date(2026, 3, 4))
    assert send_batch([d.pk]).sent == [d.pk]
    assert server.sink.sessions == 1


def test_a_421_on_one_connection_finishes_the_other_and_hands_back_the_rest(
    make_user: Callable[..., User], plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable
) -> None:
    """The email refused with 421 is retried; the one on its way over the other connection is accepted; the
    rest never reached the server and go back with the attempt they did not get."""
    server = smtp(codes=["421 4.7.0 closing"])
    smtp_settings(server)
    ids = due_rows(make_user, plan, 6)
    result = send_batch(ids)
    assert (len(result.sent), len(result.retry), result.failed, server.sink.data_commands) == (1, 5, [], 2)
    assert sorted(result.sent + result.retry) == sorted(ids)
    attempts = dict(ReminderDelivery.objects.values_list("pk", "attempts"))
    assert sorted(attempts.values()) == [0, 0, 0, 0, 1, 1]
    assert recipients(server) == sent_to(ids)
    assert sorted(send_batch(result.retry).sent) == sorted(result.retry)
    assert recipients(server) == sent_to(ids) and len(server.sink.messages) == 6


def test_a_failing_batch_leaves_no_email_delivered_without_its_mark(
    make_user: Callable[..., User], plan: Plan, smtp: Callable[..., SmtpServer], smtp_settings: Callable
) -> None:
    """What fails after the first email is accepted (here its log line) stops the batch. An email whose
    message was written over the other connection is finished and marked sent; one not that far is dropped
    unsent. Either way the rows marked sent are exactly the emails the server received."""

    def broken_about(delivery: Any) -> dict[str, Any]:
        raise LookupError("the log line's fields")

    box = Outbox(REMINDERS.model, batch.load, batch.build, "reminder", broken_about, REMINDERS.steps)
    server = smtp(delay=0.02)
    smtp_settings(server)
    ids = due_rows(make_user, plan, 6)
    with pytest.raises(LookupError):
        send_batch(ids, box=box)
    assert 1 <= len(server.sink.messages) <= 2
    assert recipients(server) == sent_to(ids)
    # The others stay claimed: sent once stale, as after a worker's death.
    assert ReminderDelivery.objects.filter(pk__in=ids, status=Status.SENDING).count() == 6 - len(server.sink.messages)


@pytest.mark.django_db(transaction=True)  # a failed statement outside a test's transaction, as in production
def test_an_earlier_emails_failed_mark_still_leaves_the_next_accepted_email_marked(
    make_user: Callable[..., User],
    plan: Plan,
    smtp: Callable[..., SmtpServer],
    smtp_settings: Callable,
    request: pytest.FixtureRequest,
) -> None:
    """Both messages are written before either is answered; the first one's mark fails (late, on
    PostgreSQL), and the failure surfaces while the second is being recorded: the second, accepted by the
    server, is still marked sent, not left to be sent again once stale."""
    server = smtp(delay=0.05)
    smtp_settings(server)
    ids = due_rows(make_user, plan, 4)
    request.getfixturevalue("refuse_mark_of")(ids[0])
    with pytest.raises(DatabaseError, match="no mark"):
        send_batch(ids)
    assert recipients(server) == ["learner0@example.com", "learner1@example.com"]
    statuses = dict(ReminderDelivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == [Status.SENDING, Status.SENT, Status.SENDING, Status.SENDING]


class OneAtATime(SMTP):
    """An SMTP server that greets a second connection at once with 421, as servers limiting connections do."""

    active = 0

    async def _handle_client(self) -> None:
        if OneAtATime.active:
            await self.push("421 4.7.0 one connection at a time")
            assert self.transport is not None
            self.transport.close()
            return
        OneAtATime.active += 1
        try:
            await super()._handle_client()
        finally:
            OneAtATime.active -= 1


class OneAtATimeController(Controller):
    def factory(self) -> SMTP:
        return OneAtATime(self.handler, **self.SMTP_kwargs)


def test_a_second_connection_the_server_refuses_is_done_without(
    make_user: Callable[..., User], plan: Plan, smtp_settings: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    sink = Sink()
    server = SmtpServer(sink)
    server.controller = OneAtATimeController(sink, hostname="127.0.0.1", port=server.port)
    with server:
        smtp_settings(server)
        ids = due_rows(make_user, plan, 4)
        result = send_batch(ids)
    # Every email over the one connection it was given, none charged with the refusal.
    assert (sorted(result.sent), result.retry, result.failed, sink.sessions) == (sorted(ids), [], [], 1)
    assert recipients(server) == sent_to(ids)
    assert set(ReminderDelivery.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    assert "event=reminder_connection_refused" in caplog.text


def test_a_reply_later_than_the_timeout_fails_that_email_and_hands_the_rest_back(
    make_user: Callable[..., User], plan: Plan, smtp: Callable[..., SmtpServer], settings: Any
) -> None:
    server = smtp(delay=1.0)  # every message answered a second late
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False, "timeout": 0.2},
        }
    }
    ids = due_rows(make_user, plan, 5)
    result = send_batch(ids)
    # The two emails on their way time out (retried, an attempt used); the rest never left.
    assert (result.sent, result.failed, sorted(result.retry)) == ([], [], sorted(ids))
    attempts = sorted(ReminderDelivery.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    assert attempts == [0, 0, 0, 1, 1]
    errors = ReminderDelivery.objects.exclude(error="").values_list("error", flat=True)
    assert all("did not answer in time" in e or "timed out" in e for e in errors) and len(errors) == 2


def test_an_email_whose_send_raised_is_not_marked_sent(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    """An address Django's SMTP backend refuses to send to (a non-ASCII local part, to a server without
    SMTPUTF8) raises out of the batch. That email's row stays "sending", not marked sent for an email that
    never left; the emails the server received are exactly the rows marked sent."""
    ids = due_rows(make_user, plan, 3)
    odd = ReminderDelivery.objects.select_related("enrollment__user").get(pk=ids[0]).enrollment.user
    odd.email = "jürgen@example.com"
    odd.save()
    with pytest.raises(ValueError):
        send_batch(ids)
    assert ReminderDelivery.objects.get(pk=ids[0]).status == Status.SENDING
    assert recipients(server) == sent_to(ids)
    assert "jürgen@example.com" not in recipients(server)
