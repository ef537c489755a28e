"""Ticking and unticking a task: one statement each, atomic by itself, and the counter it moved read back.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here each is one statement in autocommit. The unique constraint with ON CONFLICT DO
NOTHING keeps one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as
for any other write. The enrollment's state_version is read back after it, on PostgreSQL in the same round
trip and transaction (a pipeline), so the answer can tell whether this was the only write since the page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import psycopg
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
    # config.postgresql's cursor binds on the server, which psycopg's pipeline mode needs.
    prepared_cursor = getattr(connection, "prepared_cursor", None)
    if read_version and prepared_cursor is not None and psycopg.Pipeline.is_supported():
        return _set_done_pipelined(prepared_cursor, write, params, enrollment_id)
    with connection.cursor() as cursor:
        cursor.execute(write, params)
        changed = cursor.rowcount
        if not read_version:
            return Written(changed, -1)
        cursor.execute(_VERSION, [enrollment_id])
        row = cursor.fetchone()
    return Written(changed, row[0] if row else -1)


def _set_done_pipelined(prepared_cursor: Any, write: str, params: tuple[Any, ...], enrollment_id: int) -> Written:
    # Both statements in one round trip and one transaction: the version read sees this write's own trigger,
    # under the row lock that trigger took. In autocommit the pipeline brings its own BEGIN and COMMIT, so a
    # deferred constraint (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED) fails as the COMMIT
    # statement, reported like any other; left to the pipeline's end it would leave the connection stuck in
    # pipeline mode.
    raw = connection.connection
    own = not connection.in_atomic_block
    try:
        with prepared_cursor() as writing, prepared_cursor() as reading, connection.wrap_database_errors:
            control = raw.cursor()
            with raw.pipeline():
                if own:
                    control.execute("BEGIN", prepare=False)
                writing.execute(write, params)
                reading.execute(_VERSION, [enrollment_id])
                if own:
                    control.execute("COMMIT", prepare=False)
            changed = writing.rowcount
            row = reading.fetchone()
    except DatabaseError:
        # A failed statement skips the rest, the COMMIT too: end the transaction it left open and failed.
        if own and raw.pgconn.transaction_status == pq.TransactionStatus.INERROR:
            raw.execute("ROLLBACK", prepare=False)
        raise
    return Written(changed, row[0] if row else -1)
