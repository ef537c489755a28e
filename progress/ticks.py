"""Ticking and unticking a task: one statement each, atomic by itself, and the counter it moved read back.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here each is one statement: on PostgreSQL sent in one round trip with what makes it
its own transaction (a pipeline of prepared statements, or without prepared statements one message with its
BEGIN and COMMIT), elsewhere in autocommit. The unique constraint with ON CONFLICT DO NOTHING keeps
one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as for any
other write. The enrollment's state_version, or the learner's whole state, can be read back after it, on
PostgreSQL in the same round trip and transaction: the answer then tells whether this was the only write since
the page, or has the state after it without another round trip (progress.state.set_done).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from psycopg import pq

from progress.models import Enrollment, TaskCompletion

_TABLE = TaskCompletion._meta.db_table
_ENROLLMENT = TaskCompletion._meta.get_field("enrollment").column
_TASK = TaskCompletion._meta.get_field("task").column
_AT = TaskCompletion._meta.get_field("completed_at").column
_ENROLLMENTS = Enrollment._meta.db_table
_STATE_VERSION = Enrollment._meta.get_field("state_version").column
# Both SQLite (3.24+) and PostgreSQL read ON CONFLICT ... DO NOTHING. Names from the model, not from input.
_TICK = (
    f"INSERT INTO {_TABLE} ({_ENROLLMENT}, {_TASK}, {_AT}) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT ({_ENROLLMENT}, {_TASK}) DO NOTHING"
)
_UNTICK = f"DELETE FROM {_TABLE} WHERE {_ENROLLMENT} = %s AND {_TASK} = %s"  # noqa: S608
_VERSION = f"SELECT {_STATE_VERSION} FROM {_ENROLLMENTS} WHERE id = %s"  # noqa: S608


class Written(NamedTuple):
    changed: int  # rows the write inserted or deleted: 0 when the task already was as posted, else 1
    version: int  # the enrollment's state_version just after the write (-1: not read, or no enrollment)


def set_done(enrollment_id: int, task_id: int, done: bool, *, read_version: bool = False) -> Written:
    """Make the task ticked (`done`) or not, whatever it was: posting the wanted state, not "flip it".

    With `read_version`, also reads the enrollment's state_version just after the write, from which
    progress.state.advance tells whether this write was the only one since the page was read.
    """
    if not read_version:
        return Written(_run(_write(enrollment_id, task_id, done), None)[0], -1)
    changed, rows = _run(_write(enrollment_id, task_id, done), (_VERSION, [enrollment_id]))
    return Written(changed, rows[0][0] if rows else -1)


def set_done_then_read(
    enrollment_id: int, task_id: int, done: bool, sql: str, params: list[Any]
) -> tuple[int, list[tuple[Any, ...]]]:
    """`set_done`, then the query `sql` with `params`: on PostgreSQL in the same message and transaction, so
    it sees this write and costs no round trip of its own. Returns the rows changed and the query's rows."""
    return _run(_write(enrollment_id, task_id, done), (sql, params))


def _write(enrollment_id: int, task_id: int, done: bool) -> tuple[str, list[Any]]:
    if done:
        return _TICK, [enrollment_id, task_id, connection.ops.adapt_datetimefield_value(timezone.now())]
    return _UNTICK, [enrollment_id, task_id]


def _run(write: tuple[str, list[Any]], read: tuple[str, list[Any]] | None) -> tuple[int, list[tuple[Any, ...]]]:
    """The write's rowcount, and the rows of the query `read` run just after it (none without one)."""
    if connection.vendor == "postgresql":
        return _pipelined(write, read) if settings.DB_PREPARE else _in_one_message(write, read)
    with connection.cursor() as cursor:
        cursor.execute(*write)
        changed = cursor.rowcount
        if read is None:
            return changed, []
        cursor.execute(*read)
        return changed, cursor.fetchall()


# Asynchronous commit for this transaction only (SET LOCAL, as a statement that can be prepared).
_ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"


def _pipelined(write: tuple[str, list[Any]], read: tuple[str, list[Any]] | None) -> tuple[int, list[tuple[Any, ...]]]:
    """The write, and the query `read` when given, sent to PostgreSQL in one pipeline: one round trip, as
    `_in_one_message`, but each statement prepared on the server (config.postgresql), so the state query a
    cold tick reads (a UNION of six selects, progress.state) is planned once per connection, not on every
    tick: planning it took three times as long as running it.

    Outside a transaction of the caller's, the pipeline brings its own BEGIN and COMMIT, as `_in_one_message`
    does, with the same asynchronous commit. The COMMIT is a statement of the pipeline rather than its Sync
    (which would commit an implicit transaction as well) because psycopg reports a failing statement and
    ends the pipeline, but cannot end one whose Sync failed, as a deferred foreign key failing at the commit
    makes it. Inside a transaction of the caller's the statements are part of it.
    """
    own = connection.get_autocommit() and not connection.in_atomic_block
    # A cursor keeps the result of its last statement only: one for the write's, one for the read's rows,
    # one for the transaction's own statements.
    writing, reading, ending = connection.prepared_cursors(3)  # type: ignore[attr-defined]
    raw = connection.connection  # after the cursors: their health check may have opened a new connection
    with writing, reading, ending:
        try:
            with connection.wrap_database_errors, raw.pipeline():
                if own:
                    ending.execute("BEGIN")
                    ending.execute(_ASYNC_COMMIT)
                writing.execute(*write)
                if read is not None:
                    reading.execute(*read)
                if own:
                    ending.execute("COMMIT")
        except Exception:
            if raw.pgconn.pipeline_status != pq.PipelineStatus.OFF:
                # A failure psycopg could not end the pipeline after (a lost connection): the connection is
                # of no further use, and Django opens a new one for the next query (inside a transaction
                # of the caller's, Django marks it for rollback).
                connection.close()
            elif own and raw.info.transaction_status != pq.TransactionStatus.IDLE:
                # A failed statement skips the rest, the COMMIT too; a statement refused by the client
                # before it was sent leaves the ones before it run and their transaction open: end it, so
                # no later query of this connection runs inside it. (psycopg forgets its prepared
                # statements after a ROLLBACK; they are prepared again on their next use.)
                ending.execute("ROLLBACK")
            raise
        return writing.rowcount, (reading.fetchall() if read is not None else [])


def _in_one_message(
    write: tuple[str, list[Any]], read: tuple[str, list[Any]] | None
) -> tuple[int, list[tuple[Any, ...]]]:
    """The write, and the query `read` when given, sent to PostgreSQL as ONE simple-query message: one round
    trip and one transaction, and the query sees this write's own trigger, under the row lock that trigger
    took. Django's cursor binds on the client, which is what lets one message carry several statements with
    their values.

    Outside a transaction of the caller's the message brings its own BEGIN and COMMIT, with
    `synchronous_commit` off for that transaction only: the tick is visible to every request at once and
    survives any crash of the web process, and only a crash of the database server itself can lose the
    last fraction of a second of ticks (never half of one). Waiting for the disk flush doubled a tick's time
    for that; a learner ticks again what they see unticked. A deferred constraint (Django's foreign keys are
    DEFERRABLE INITIALLY DEFERRED) then fails as the COMMIT statement and is reported like any other failure.
    """
    own = connection.get_autocommit() and not connection.in_atomic_block
    statements = [write[0]] if read is None else [write[0], read[0]]
    values = list(write[1]) if read is None else [*write[1], *read[1]]
    if own:
        statements = ["BEGIN", "SET LOCAL synchronous_commit TO OFF", *statements, "COMMIT"]
    with connection.cursor() as cursor:
        try:
            cursor.execute("; ".join(statements), values)
        except DatabaseError:
            # A failed statement skips the rest, the COMMIT too: end the transaction it left open and failed.
            if own and connection.connection.info.transaction_status == pq.TransactionStatus.INERROR:
                cursor.execute("ROLLBACK")
            raise
        results = _results(cursor.cursor)
    first = 2 if own else 0  # BEGIN and SET LOCAL come first
    return results[first][0], (results[first + 1][1] if read is not None else [])


def _results(raw: Any) -> list[tuple[int, list[tuple[Any, ...]]]]:
    """Each statement's (rowcount, rows), in order, from a cursor that ran several."""
    results = []
    while True:
        results.append((raw.rowcount, raw.fetchall() if raw.description else []))
        if not raw.nextset():
            return results
