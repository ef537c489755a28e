"""The tick on PostgreSQL (progress.ticks): one call of the database function `progress_set_done`, prepared on
the server, one round trip; its own transaction with an asynchronous commit in autocommit, part of the
caller's transaction inside one; a write the foreign key refuses leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg import pq
from pytest_django.fixtures import Settings

from curriculum.models import Plan
from progress import state, ticks
from progress.models import Enrollment, TaskCompletion
from tests.progress.helpers import tasks_of

pytestmark = [pytest.mark.usefixtures("postgres"), pytest.mark.django_db(transaction=True)]

CALL = "SELECT changed, version FROM progress_set_done(%s, %s, %s, %s, %s)"


@contextmanager
def protocol_trace() -> Iterator[list[str]]:
    """The frontend/backend protocol messages libpq exchanges meanwhile, one per line ("F" sent, "B" received)."""
    raw = connection.connection
    lines: list[str] = []
    fd, path = tempfile.mkstemp()
    try:
        raw.pgconn.trace(fd)
        raw.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield lines
        finally:
            raw.pgconn.untrace()
        with open(path) as f:
            lines.extend(f.read().splitlines())
    finally:
        os.close(fd)
        os.unlink(path)


def messages(trace: list[str], direction: str, kind: str) -> int:
    return sum(line.split("\t")[:3:2] == [direction, kind] for line in trace)


def logged(ctx: CaptureQueriesContext) -> list[tuple[str, str]]:
    """(SQL, its values as logged) of each statement: Django logs a server-bound one as QUERY = ... - PARAMS = ..."""
    found = []
    for query in ctx.captured_queries:
        match = re.fullmatch(r"QUERY = (['\"])(.*)\1 - PARAMS = (.*)", query["sql"], re.S)
        sql, values = (match[2], match[3]) if match else (query["sql"], "")
        found.append((re.sub(r"\$\d+", "%s", sql), values))  # $1: a statement bound on the server, unprepared
    return found


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (value,) = cursor.fetchone()
    return str(value)


def idle() -> bool:
    return connection.connection.info.transaction_status == pq.TransactionStatus.IDLE


def prepared_calls() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%progress_set_done%"])
        (count,) = cursor.fetchone()
    return int(count)


def version_of(enrollment: Enrollment) -> int:
    return Enrollment.objects.get(pk=enrollment.pk).state_version


def test_a_tick_is_one_prepared_statement_in_one_round_trip(
    settings: Settings, enrollment: Enrollment, plan: Plan
) -> None:
    settings.DB_PREPARE = True
    task = tasks_of(plan, 1)[0]
    version = version_of(enrollment)
    # The connection's first tick prepares the statement (a round trip of its own, once per connection).
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
    assert ticks.set_done(enrollment.pk, task.pk, False, read_version=True) == (1, version + 2)
    with CaptureQueriesContext(connection) as ctx, protocol_trace() as trace:
        assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 3)
    [(sql, values)] = logged(ctx)
    assert sql == CALL
    assert values.endswith(", True)")  # p_own: a transaction of its own
    assert messages(trace, "F", "Parse") == 0  # prepared already
    assert messages(trace, "F", "Execute") == 1
    assert messages(trace, "F", "Sync") == 1 and messages(trace, "B", "ReadyForQuery") == 1
    assert not any("\tQuery\t" in line for line in trace)  # no simple-query message: bound on the server
    assert prepared_calls() == 2  # the tick's and the untick's (no moment): psycopg keys them by value types
    assert idle() and synchronous_commit() == "on"  # the quick commit went with the statement's transaction
    assert TaskCompletion.objects.get().task_id == task.pk


def test_ticking_and_unticking_answer_the_rows_changed_and_the_counter_after(
    enrollment: Enrollment, plan: Plan
) -> None:
    """Posting the state the task already has changes nothing and leaves the counter where it was."""
    task = tasks_of(plan, 1)[0]
    v = version_of(enrollment)
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, v + 1)
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (0, v + 1)
    assert ticks.set_done(enrollment.pk, task.pk, False, read_version=True) == (1, v + 2)
    assert ticks.set_done(enrollment.pk, task.pk, False) == (0, v + 2)
    assert not TaskCompletion.objects.exists()
    assert version_of(enrollment) == v + 2


def test_the_tick_keeps_its_moment(enrollment: Enrollment, plan: Plan) -> None:
    task = tasks_of(plan, 1)[0]
    before = timezone.now()
    ticks.set_done(enrollment.pk, task.pk, True)
    assert before <= TaskCompletion.objects.get().completed_at <= timezone.now()


def test_an_untick_for_an_enrollment_that_is_gone_reads_no_counter(enrollment: Enrollment, plan: Plan) -> None:
    task = tasks_of(plan, 1)[0]
    assert ticks.set_done(987_654_321, task.pk, False, read_version=True) == (0, -1)


def test_the_function_commits_quickly_only_a_transaction_of_its_own(enrollment: Enrollment, plan: Plan) -> None:
    """`synchronous_commit` off is for the statement's own transaction; called inside a caller's transaction
    (p_own false) it leaves the caller's commit as it was."""
    task = tasks_of(plan, 1)[0]
    for own, expected in ((True, "off"), (False, "on")):
        with pytest.raises(_Rollback), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(CALL, [enrollment.pk, task.pk, True, timezone.now(), own])
            assert synchronous_commit() == expected
            raise _Rollback
    assert synchronous_commit() == "on"


@pytest.mark.parametrize("prepare", [True, False])
def test_a_refused_tick_leaves_no_row_and_a_working_connection(
    settings: Settings, enrollment: Enrollment, plan: Plan, prepare: bool
) -> None:
    """A task deleted since the page: the foreign key (checked as the statement's transaction commits) refuses
    the write; nothing is written, the counter does not move, and the connection goes on."""
    settings.DB_PREPARE = prepare
    task = tasks_of(plan, 1)[0]
    version = version_of(enrollment)
    for _ in range(2):
        with pytest.raises(IntegrityError):
            ticks.set_done(enrollment.pk, 987_654_321, True, read_version=True)
        assert idle() and synchronous_commit() == "on"
        assert not TaskCompletion.objects.exists()
    assert version_of(enrollment) == version
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert TaskCompletion.objects.get().task_id == task.pk


def test_a_tick_after_the_server_dropped_the_connection_runs_on_a_new_one(enrollment: Enrollment, plan: Plan) -> None:
    """The health check before the tick's cursor replaces a connection the server ended."""
    task = tasks_of(plan, 1)[0]
    version = version_of(enrollment)
    old = connection.connection
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    connection.health_check_done = False  # type: ignore[attr-defined]  # as at the start of a request
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
    assert connection.connection is not old and idle()


class _Rollback(Exception):
    pass


def test_a_tick_inside_a_transaction_is_part_of_it(enrollment: Enrollment, plan: Plan) -> None:
    """No quick commit of its own (it would change the caller's commit), and the write rolls back with the
    caller's block."""
    task = tasks_of(plan, 1)[0]
    version = version_of(enrollment)
    with pytest.raises(_Rollback), transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
        [(sql, values)] = logged(ctx)
        assert sql == CALL and values.endswith(", False)")
        assert TaskCompletion.objects.filter(task=task).exists()
        assert synchronous_commit() == "on"
        raise _Rollback
    assert not TaskCompletion.objects.exists()
    assert version_of(enrollment) == version
    assert idle()


def test_without_prepared_statements_a_tick_is_still_one_statement(
    settings: Settings, enrollment: Enrollment, plan: Plan
) -> None:
    """For a pooler that cannot keep prepared statements (DJANGO_DB_PREPARE=0): the same call, not prepared."""
    settings.DB_PREPARE = False
    task = tasks_of(plan, 1)[0]
    version = version_of(enrollment)
    with CaptureQueriesContext(connection) as ctx, protocol_trace() as trace:
        assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
    assert [sql for sql, _ in logged(ctx)] == [CALL]
    assert messages(trace, "B", "ReadyForQuery") == 1
    assert prepared_calls() == 0
    assert idle() and synchronous_commit() == "on"
    assert TaskCompletion.objects.get().task_id == task.pk


def test_the_state_before_comes_with_the_write_in_one_statement(enrollment: Enrollment, plan: Plan) -> None:
    """The learner-state rows are those of before the write, with the counter they were read at; the write's
    answer has the counter after it."""
    first, second = tasks_of(plan, 1)[:2]
    TaskCompletion.objects.create(enrollment=enrollment, task=first)
    version = version_of(enrollment)
    sql, params = state._STATE.statement(enrollment.pk, enrollment.user_id)
    with CaptureQueriesContext(connection) as ctx:
        written, rows = ticks.set_done_with_state_before(enrollment.pk, second.pk, True, sql, params)
    assert len(ctx.captured_queries) == 1
    assert written == (1, version + 1)
    before, read_at = state._snapshot(state._STATE.convert(rows))
    assert (before.ticked, read_at) == (frozenset({first.pk}), version)
    assert set(TaskCompletion.objects.values_list("task_id", flat=True)) == {first.pk, second.pk}
    assert idle() and synchronous_commit() == "on"
