"""Ticking and unticking a task: one statement each, atomic by itself.

The tick is the write learners make dozens of times a day. Through the ORM each one is a transaction around
its statement (BEGIN, the statement, COMMIT: three round trips), and an untick first SELECTs the rows Django
collects for deletion. Here each is one statement in autocommit. The unique constraint with ON CONFLICT DO
NOTHING keeps one row under a double click or two tabs; the state-version triggers (progress.triggers) fire as
for any other write.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from progress.models import TaskCompletion

_TABLE = TaskCompletion._meta.db_table
_ENROLLMENT = TaskCompletion._meta.get_field("enrollment").column
_TASK = TaskCompletion._meta.get_field("task").column
_AT = TaskCompletion._meta.get_field("completed_at").column
# Both SQLite (3.24+) and PostgreSQL read ON CONFLICT ... DO NOTHING. Names from the model, not from input.
_TICK = (
    f"INSERT INTO {_TABLE} ({_ENROLLMENT}, {_TASK}, {_AT}) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT ({_ENROLLMENT}, {_TASK}) DO NOTHING"
)
_UNTICK = f"DELETE FROM {_TABLE} WHERE {_ENROLLMENT} = %s AND {_TASK} = %s"  # noqa: S608


def set_done(enrollment_id: int, task_id: int, done: bool) -> None:
    """Make the task ticked (`done`) or not, whatever it was: posting the wanted state, not "flip it"."""
    with connection.cursor() as cursor:
        if done:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(_TICK, [enrollment_id, task_id, now])
        else:
            cursor.execute(_UNTICK, [enrollment_id, task_id])
