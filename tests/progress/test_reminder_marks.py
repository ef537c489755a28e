"""Each email's "sent" mark is written as soon as the SMTP server accepted it and read while the next email's
first command travels (progress.reminders.marks): every row ends up sent, a mark that fails stops the batch
before the next email is delivered, and nothing else runs on the connection while a mark is in flight."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan
from progress.compiled import server_cursor
from progress.models import ReminderDelivery
from progress.reminders import batch
from progress.reminders.marks import SentMarks
from progress.reminders.sending import REMINDERS, Outbox, send_batch
from tests.progress.reminder_helpers import SmtpServer, enroll, learners

pytestmark = pytest.mark.django_db(transaction=True)

Status = ReminderDelivery.Status
MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)
TABLE = ReminderDelivery._meta.db_table


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(datetime(2026, 3, 4, 4, 0, tzinfo=UTC), tick=False) as t:
        yield t


def due_rows(make_user: Callable[..., User], plan: Plan, n: int) -> list[int]:
    ids = []
    for user in learners(make_user, n, "mark"):
        e = enroll(user, plan, start=MONDAY, at=dtime(8, 0))
        ids.append(ReminderDelivery.objects.create(enrollment=e, local_date=WEDNESDAY).pk)
    return ids


def statuses(ids: list[int]) -> list[str]:
    found = dict(ReminderDelivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    return [found[pk] for pk in ids]


def test_every_email_accepted_is_marked_sent_with_its_time(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    ids = due_rows(make_user, plan, 5)
    with CaptureQueriesContext(connection) as queries:
        result = send_batch(ids)
    # In the order the server accepted them: over two connections not always the batch's.
    assert sorted(result.sent) == ids
    assert statuses(ids) == [Status.SENT] * 5
    assert set(ReminderDelivery.objects.values_list("sent_at", flat=True)) == {datetime(2026, 3, 4, 4, 0, tzinfo=UTC)}
    assert len(server.sink.messages) == 5
    # Listed with Django's own queries, whichever way it went to the database.
    assert sum(q["sql"].startswith("UPDATE") and "'sent'" in q["sql"] for q in queries.captured_queries) == 5
    if connection.vendor == "postgresql":
        assert connection.connection.pgconn.get_result() is None  # nothing left unread


@pytest.fixture
def refuse_mark_of() -> Any:
    """A database trigger that makes the "sent" mark of one row fail, as a lost connection or a full disk would."""
    created: list[str] = []

    def refuse(pk: int) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Slow too: the answer comes after the next email's first commands, and must still stop it.
                cursor.execute(
                    "CREATE FUNCTION refuse_mark() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.status = 'sent' AND NEW.id = {int(pk)} THEN "
                    "PERFORM pg_sleep(0.2); RAISE EXCEPTION 'no mark'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    f"CREATE TRIGGER refuse_mark BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION refuse_mark()"
                )
            created.append("postgresql")
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TRIGGER refuse_mark BEFORE UPDATE ON {TABLE} "
                    f"WHEN NEW.status = 'sent' AND NEW.id = {int(pk)} BEGIN SELECT RAISE(ABORT, 'no mark'); END"
                )
            created.append("sqlite")

    yield refuse
    with connection.cursor() as cursor:
        for vendor in created:
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS refuse_mark ON {TABLE}")
                cursor.execute("DROP FUNCTION IF EXISTS refuse_mark()")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS refuse_mark")


def test_a_mark_that_fails_stops_the_batch_before_the_next_email_is_delivered(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer, refuse_mark_of: Callable[[int], None]
) -> None:
    ids = due_rows(make_user, plan, 4)
    refuse_mark_of(ids[1])
    with pytest.raises(DatabaseError, match="no mark"):
        send_batch(ids)
    # The second email went out and its mark failed: it stays "sending" (retried once stale, as after a crash),
    # and the third, whose first command was on its way, was never delivered.
    assert len(server.sink.messages) == 2
    assert statuses(ids) == [Status.SENT, Status.SENDING, Status.SENDING, Status.SENDING]
    assert ReminderDelivery.objects.filter(pk=ids[0]).update(error="") == 1  # the connection is usable again


def test_what_fails_in_the_batch_is_what_it_raises_even_with_a_failing_mark_in_flight(
    postgres: None,
    make_user: Callable[..., User],
    plan: Plan,
    server: SmtpServer,
    refuse_mark_of: Callable[[int], None],
    settings: Any,
) -> None:
    # (Elsewhere the mark is not in flight: it fails at once, first.) One connection: with two, the second
    # email is on its way at the same time (test_reminder_lanes).
    settings.REMINDER_SMTP_CONNECTIONS = 1

    def broken_about(delivery: Any) -> dict[str, Any]:
        raise LookupError("the log line's fields")

    box = Outbox(REMINDERS.model, batch.load, batch.build, "reminder", broken_about, REMINDERS.steps)
    ids = due_rows(make_user, plan, 2)
    refuse_mark_of(ids[0])
    with pytest.raises(LookupError):
        send_batch(ids, box=box)
    assert len(server.sink.messages) == 1
    assert ReminderDelivery.objects.filter(pk__in=ids).count() == 2  # the connection answers again


def querying_steps(row: batch.Loaded) -> Generator[None, None, Any]:
    """A build that queries the database in each of its steps."""
    for _ in range(3):
        ReminderDelivery.objects.filter(pk=row.pk).exists()
        yield
    return batch.build(row)


def test_no_build_step_runs_while_a_mark_is_in_flight(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    # Were a step to run with a mark's answer unread, its query would find the connection busy and the
    # row would fail to build.
    box = Outbox(REMINDERS.model, batch.load, batch.build, "reminder", REMINDERS.about, querying_steps)
    ids = due_rows(make_user, plan, 6)
    result = send_batch(ids, box=box)
    # In the order the server accepted them: over two connections not always the batch's.
    assert sorted(result.sent) == ids and not result.failed
    assert statuses(ids) == [Status.SENT] * 6


def test_on_postgresql_a_mark_is_answered_later_and_settled_once(postgres: None) -> None:
    marks = SentMarks(TABLE, str(Status.SENT), str(Status.SENDING))
    assert marks.answered() and not marks.in_flight
    marks.send(0)  # no such row: the UPDATE changes nothing, and succeeds
    assert marks.in_flight
    marks.settle()
    assert not marks.in_flight and marks.answered()
    marks.settle()  # nothing in flight: nothing to do
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def prepared_marks() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'studyplan_sent_%%'")
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.parametrize("prepare", [True, False])
def test_on_postgresql_the_mark_is_prepared_once_per_connection_unless_told_not_to(
    postgres: None, make_user: Callable[..., User], plan: Plan, server: SmtpServer, settings: Any, prepare: bool
) -> None:
    # A pooler in transaction mode cannot keep prepared statements (DJANGO_DB_PREPARE=0, config.postgresql).
    settings.DB_PREPARE = prepare
    connection.close()  # a new connection: nothing prepared on it yet
    ids = due_rows(make_user, plan, 4)
    send_batch(ids[:2])
    expected = [f"studyplan_sent_{TABLE}"] if prepare else []
    assert prepared_marks() == expected
    send_batch(ids[2:3])  # the same connection: prepared already, not again (which PostgreSQL would refuse)
    connection.close()
    send_batch(ids[3:])  # a new connection, where it must be prepared afresh
    assert prepared_marks() == expected
    assert statuses(ids) == [Status.SENT] * 4


def test_a_batch_after_a_rollback_prepares_the_mark_again(
    postgres: None, make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    ids = due_rows(make_user, plan, 2)
    send_batch(ids[:1])
    assert prepared_marks() == [f"studyplan_sent_{TABLE}"]
    # psycopg deallocates every statement prepared on the connection when a transaction rolls back after it
    # prepared one of its own (a compiled page query, say): the next batch finds the mark gone.
    with server_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int", [1])
    with contextlib.suppress(RuntimeError), transaction.atomic():
        ReminderDelivery.objects.count()
        raise RuntimeError
    assert prepared_marks() == []
    send_batch(ids[1:])
    assert statuses(ids) == [Status.SENT] * 2
