"""Ticking and unticking a task: one statement each, atomic by itself, and the counter it moved read back.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here each is one statement: on PostgreSQL sent with its BEGIN and COMMIT in one
message (one round trip), elsewhere in autocommit. The unique constraint with ON CONFLICT DO NOTHING keeps
one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as for any
other write. The enrollment's state_version can be read back after it, on PostgreSQL in the same message and
transaction, so the answer can tell whether this was the only write since the page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    write, params = (_TICK, (enrollment_id, task_id, now)) if done else (_UNTICK, (enrollment_id, task_id))
    if connection.vendor == "postgresql":
        return _set_done_in_one_message(write, params, enrollment_id if read_version else None)
    with connection.cursor() as cursor:
        cursor.execute(write, params)
        changed = cursor.rowcount
        if not read_version:
            return Written(changed, -1)
        cursor.execute(_VERSION, [enrollment_id])
        row = cursor.fetchone()
    return Written(changed, row[0] if row else -1)


def _set_done_in_one_message(write: str, params: tuple[Any, ...], version_of: int | None) -> Written:
    """The write, and the version read when `version_of` is given, sent to PostgreSQL as ONE simple-query
    message: one round trip and one transaction, and the version read sees this write's own trigger, under the
    row lock that trigger took. Django's cursor binds on the client, which is what lets one message carry
    several statements with their values.

    Outside a transaction of the caller's the message brings its own BEGIN and COMMIT, with
    `synchronous_commit` off for that transaction only: the tick is visible to every request at once and
    survives any crash of the web process, and only a crash of the database server itself can lose the
    last fraction of a second of ticks (never half of one). Waiting for the disk flush doubled a tick's time
    for that; a learner ticks again what they see unticked. A deferred constraint (Django's foreign keys are
    DEFERRABLE INITIALLY DEFERRED) then fails as the COMMIT statement and is reported like any other failure.
    """
    own = connection.get_autocommit() and not connection.in_atomic_block
    statements = [write] if version_of is None else [write, _VERSION]
    values = list(params) if version_of is None else [*params, version_of]
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
    changed = results[first][0]
    row = results[first + 1][1] if version_of is not None else None
    return Written(changed, row[0] if row else -1)


def _results(raw: Any) -> list[tuple[int, Any]]:
    """Each statement's (rowcount, first row or None), in order, from a cursor that ran several."""
    results = []
    while True:
        results.append((raw.rowcount, raw.fetchone() if raw.description else None))
        if not raw.nextset():
            return results
