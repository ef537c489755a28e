"""Ticking and unticking a task: one statement each, atomic by itself.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here each is one statement in autocommit. The unique constraint with ON CONFLICT DO
NOTHING keeps one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as
for any other write. The enrollment's state_version is read back after it, on PostgreSQL in the same round
trip and transaction (a pipeline), so the answer can tell whether this was the only write since the page.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection
from django.utils import timezone

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


def set_done(enrollment_id: int, task_id: int, done: bool, *, read_version: bool = False) -> int:
    """Make the task ticked (`done`) or not, whatever it was: posting the wanted state, not "flip it".

    With `read_version`, returns the enrollment's state_version read just after the write (-1 if the
    enrollment is gone), from which progress.state.advance tells whether this write was the only one since
    the page was read; otherwise -1.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    write, params = (_TICK, (enrollment_id, task_id, now)) if done else (_UNTICK, (enrollment_id, task_id))
    # config.postgresql's cursor binds on the server, which psycopg's pipeline mode needs.
    prepared_cursor = getattr(connection, "prepared_cursor", None)
    if read_version and prepared_cursor is not None and psycopg.Pipeline.is_supported():
        return _set_done_pipelined(prepared_cursor, write, params, enrollment_id)
    with connection.cursor() as cursor:
        cursor.execute(write, params)
        if not read_version:
            return -1
        cursor.execute(_VERSION, [enrollment_id])
        row = cursor.fetchone()
    return row[0] if row else -1


def _set_done_pipelined(prepared_cursor: Any, write: str, params: tuple[Any, ...], enrollment_id: int) -> int:
    # Both statements in one round trip, and in one implicit transaction (a pipeline commits at its end):
    # the version read sees this write's own trigger, under the row lock that trigger took.
    with prepared_cursor() as cursor, connection.wrap_database_errors:
        with connection.connection.pipeline():
            cursor.execute(write, params)
            cursor.execute(_VERSION, [enrollment_id])
        row = cursor.fetchone()
    return row[0] if row else -1
