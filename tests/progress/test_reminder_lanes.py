"""A batch over several SMTP connections at once, from one thread (settings.REMINDER_SMTP_CONNECTIONS), against
a real SMTP server (aiosmtpd): each email still sent once and marked, a broken connection still hands the
rest back, and a failing batch leaves no email delivered without its mark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from curriculum.models import Plan
from progress.models import ReminderDelivery
from progress.reminders import batch
from progress.reminders.sending import REMINDERS, Outbox, send_batch
from tests.progress.reminder_helpers import SmtpServer, enroll, learners

# Wednesday noon in Shanghai, frozen for every test here too.
from tests.progress.test_fanout import MONDAY, frozen  # noqa: F401

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
