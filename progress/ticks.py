"""Ticking and unticking a task: one statement, atomic by itself, and the counter it moved read back.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here it is one statement. On PostgreSQL that statement calls the database function
`progress_set_done` (migration 0016), which writes, reads the enrollment's state_version after the write and
returns both: one round trip, one transaction in autocommit, and a single result for the client to handle.
Elsewhere the write and the read are two statements in autocommit. The unique constraint with ON CONFLICT DO
NOTHING keeps one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as
for any other write, and the counter read back tells whether this was the only write since the page
(progress.state.advance).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from progress.compiled import server_cursor
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
# PostgreSQL: the same write and read in the database (the function's SQL is the INSERT or DELETE above).
_SET_DONE = "SELECT changed, version FROM progress_set_done(%s, %s, %s, %s, %s)"
# The function's answer as one row of the learner-state query's shape (progress.state): kind, then the rows
# changed where the state has an id, the counter where it has the enrollment's counter (its "v" row).
WRITTEN = "w"
_WRITTEN_ROW = (
    f"(SELECT '{WRITTEN}', changed::bigint, NULL::integer, NULL::varchar, version, NULL::date, NULL::date, "  # noqa: S608
    "NULL::timestamptz, NULL::timestamptz FROM progress_set_done(%s, %s, %s, %s, %s))"
)


class Written(NamedTuple):
    changed: int  # rows the write inserted or deleted: 0 when the task already was as posted, else 1
    version: int  # the enrollment's state_version just after the write (-1: not read, or no enrollment)


def set_done(enrollment_id: int, task_id: int, done: bool, *, read_version: bool = False) -> Written:
    """Make the task ticked (`done`) or not, whatever it was: posting the wanted state, not "flip it".

    With `read_version`, also reads the enrollment's state_version just after the write, from which
    progress.state.advance tells whether this write was the only one since the page was read (PostgreSQL
    always reads it: it comes with the write's answer).
    """
    if connection.vendor == "postgresql":
        return _in_the_database(enrollment_id, task_id, done)
    with connection.cursor() as cursor:
        if done:
            cursor.execute(_TICK, [enrollment_id, task_id, _now()])
        else:
            cursor.execute(_UNTICK, [enrollment_id, task_id])
        changed = cursor.rowcount
        if not read_version:
            return Written(changed, -1)
        cursor.execute(_VERSION, [enrollment_id])
        row = cursor.fetchone()
    return Written(changed, row[0] if row else -1)


def _in_the_database(enrollment_id: int, task_id: int, done: bool) -> Written:
    """One call of `progress_set_done`, prepared on the server like the pages' queries (config.postgresql).

    Outside a transaction of the caller's the statement is its own transaction, and the function commits it
    asynchronously (`synchronous_commit` off for that transaction only): the tick is visible to every request
    at once and survives any crash of the web process, and only a crash of the database server itself can
    lose the last fraction of a second of ticks (never half of one). Waiting for the disk flush doubled a
    tick's time for that; a learner ticks again what they see unticked. Inside a caller's transaction it is
    part of that transaction, committed as the caller commits it. A foreign key that refuses the write (a
    task deleted since the page; Django's foreign keys are checked at commit) fails the statement in
    autocommit, and the caller's commit inside a transaction; either way nothing is left behind.
    """
    with server_cursor(connection) as cursor:
        cursor.execute(_SET_DONE, _call_values(enrollment_id, task_id, done))
        changed, version = cursor.fetchone()
    return Written(changed, -1 if version is None else version)


def set_done_with_state_before(
    enrollment_id: int, task_id: int, done: bool, state_sql: str, state_params: list[Any]
) -> tuple[Written, list[tuple[Any, ...]]]:
    """PostgreSQL: `set_done`, and the learner-state query (progress.state) as it was just BEFORE the write,
    in the same statement: one round trip for a tick whose process keeps no state of the learner.

    Every scan of a statement reads the snapshot the statement started with, and the function's own write
    comes after that snapshot, so the state rows are the state before it, with the counter they were read at.
    The function reads the counter after its write under the row lock its trigger took, so the answer
    tells progress.state.advance whether this write was the only one between the two: then the state after
    is the state before plus this write. Returns the write's answer and the state's rows (without the write's).
    """
    with server_cursor(connection) as cursor:
        cursor.execute(
            f"{_WRITTEN_ROW} UNION ALL {state_sql}", [*_call_values(enrollment_id, task_id, done), *state_params]
        )
        rows = cursor.fetchall()
    written = next(row for row in rows if row[0] == WRITTEN)
    return Written(written[1], -1 if written[4] is None else written[4]), [r for r in rows if r[0] != WRITTEN]


def _call_values(enrollment_id: int, task_id: int, done: bool) -> list[Any]:
    """The values of a `progress_set_done` call: whether the statement is its own transaction comes last."""
    own = connection.get_autocommit() and not connection.in_atomic_block
    return [enrollment_id, task_id, done, _now() if done else None, own]


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())
