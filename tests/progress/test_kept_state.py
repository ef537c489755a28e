"""The learner state a process keeps (progress.state): used only for the row it was read or made under, and
never for an answer after a write the row in hand does not know of.

A page keeps the state it read; the htmx tick derives the state after it from that one when its own write is
the only one since the page, and reads it otherwise. Every test here checks the numbers shown, not only the
queries made.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curriculum.models import Plan
from progress import page_cache, state, ticks
from progress.models import Enrollment, StudyTimer, TaskCompletion
from tests.progress.helpers import START, tasks_of
from tests.progress.helpers import tick as tick_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def on_day_two(on_local_date: Callable[..., None]) -> None:
    on_local_date(START + timedelta(days=1))


def state_reads(ctx: CaptureQueriesContext) -> int:
    """How many of the captured queries read the learner's state (progress.state's UNION)."""
    # The one query that reads the ticks beside the enrollment's counter.
    return sum(
        '"progress_taskcompletion"' in q["sql"] and '"progress_enrollment"."state_version"' in q["sql"]
        for q in ctx.captured_queries
    )


def counters(html: str) -> tuple[int, int, int]:
    """(done in the whole plan, done on the day, tasks of the day) as the tick's answer shows them."""
    overall = re.search(r'class="overall-done" data-done="(\d+)"', html)
    day = re.search(r'class="day-counter" aria-live="polite" data-done="(\d+)" data-total="(\d+)"', html)
    assert overall and day, html
    return int(overall[1]), int(day[1]), int(day[2])


def tick(client: Client, task_id: int, done: bool = True, number: int = 1) -> tuple[tuple[int, int, int], int]:
    """Tick over htmx: the counters shown, and how many times the state was read for them."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/days/{number}/tasks/{task_id}/toggle/", {"done": "1"} if done else {}, headers=HTMX)
    assert response.status_code == 200
    return counters(response.content.decode()), state_reads(ctx)


def test_a_page_keeps_the_state_it_read_for_the_next_page(alice_client: Client, enrollment: Enrollment) -> None:
    with CaptureQueriesContext(connection) as first:
        assert alice_client.get("/days/1/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert alice_client.get("/plan/").status_code == 200
    assert (state_reads(first), state_reads(second)) == (1, 0)


def test_ticks_after_a_page_read_no_state_and_count_right(
    alice_client: Client, enrollment: Enrollment, plan: Plan
) -> None:
    first, second = (t.pk for t in tasks_of(plan, 1)[:2])
    alice_client.get("/days/1/")
    assert tick(alice_client, first) == ((1, 1, 4), 0)
    assert tick(alice_client, second) == ((2, 2, 4), 0)
    assert tick(alice_client, first, done=False) == ((1, 1, 4), 0)
    # Ticking a task already ticked changes nothing, and is still known without a read.
    assert tick(alice_client, second) == ((1, 1, 4), 0)
    assert set(TaskCompletion.objects.values_list("task_id", flat=True)) == {second}


def test_the_page_after_a_tick_shows_it_without_reading_the_state(
    alice_client: Client, enrollment: Enrollment, plan: Plan
) -> None:
    alice_client.get("/days/1/")
    tick(alice_client, tasks_of(plan, 1)[0].pk)
    with CaptureQueriesContext(connection) as ctx:
        html = alice_client.get("/progress/").content.decode()
    assert state_reads(ctx) == 0
    assert 'data-done="1"' in html


def test_a_write_between_the_page_and_the_tick_is_read_not_guessed(
    alice_client: Client, enrollment: Enrollment, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another tab's tick lands after this request read the enrollment and before its own write."""
    mine, other = (t.pk for t in tasks_of(plan, 1)[:2])
    alice_client.get("/days/1/")
    set_done = ticks.set_done

    def after_another_write(enrollment_id: int, task_id: int, done: bool, **kwargs: bool) -> ticks.Written:
        TaskCompletion.objects.create(enrollment_id=enrollment_id, task_id=other)
        return set_done(enrollment_id, task_id, done, **kwargs)

    monkeypatch.setattr(ticks, "set_done", after_another_write)
    assert tick(alice_client, mine) == ((2, 2, 4), 1)


def test_one_statement_changing_several_ticks_in_between_is_read_not_guessed(
    alice_client: Client, enrollment: Enrollment, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a statement moves the counter once however many rows it changes: an admin's bulk delete
    of both ticks, landing before this untick, moves it by one, as this untick alone would have."""
    first, second = tasks_of(plan, 1)[:2]
    tick_tasks(enrollment, first, second)
    alice_client.get("/days/1/")
    set_done = ticks.set_done

    def after_a_bulk_delete(enrollment_id: int, task_id: int, done: bool, **kwargs: bool) -> ticks.Written:
        TaskCompletion.objects.filter(enrollment_id=enrollment_id).delete()
        return set_done(enrollment_id, task_id, done, **kwargs)

    monkeypatch.setattr(ticks, "set_done", after_a_bulk_delete)
    assert tick(alice_client, first.pk, done=False) == ((0, 0, 4), 1)
    monkeypatch.undo()
    assert tick(alice_client, second.pk) == ((1, 1, 4), 0)


def test_a_write_behind_the_views_back_is_read(alice_client: Client, enrollment: Enrollment, plan: Plan) -> None:
    first, second = (t.pk for t in tasks_of(plan, 1)[:2])
    alice_client.get("/days/1/")
    TaskCompletion.objects.filter(enrollment=enrollment).delete()  # nothing to delete: no version move
    TaskCompletion.objects.create(enrollment=enrollment, task_id=second)
    assert tick(alice_client, first) == ((2, 2, 4), 1)


def test_the_study_timer_of_another_plan_moves_the_row_too(
    alice_client: Client, enrollment: Enrollment, plan: Plan
) -> None:
    """The timer is the learner's (one per user): starting it moves every one of their enrollments."""
    alice_client.get("/days/1/")
    before = Enrollment.objects.get(pk=enrollment.pk).state_version
    StudyTimer.objects.create(
        user=enrollment.user, enrollment=enrollment, day=plan.days.get(number=1), started_at=timezone.now()
    )
    assert Enrollment.objects.get(pk=enrollment.pk).state_version == before + 1
    assert tick(alice_client, tasks_of(plan, 1)[0].pk) == ((1, 1, 4), 1)


def test_a_state_read_inside_a_transaction_is_not_kept(enrollment: Enrollment) -> None:
    """It could still be rolled back, and its counter value then reused for another state."""
    row = Enrollment.objects.select_related("plan").get(pk=enrollment.pk)
    with transaction.atomic():
        state.load(row)
    assert page_cache.kept("learner-state", page_cache.enrollment_key(row)) is None
    state.load(row)
    assert page_cache.kept("learner-state", page_cache.enrollment_key(row)) is not None


def test_a_row_not_known_to_be_current_reads_the_state(enrollment: Enrollment, plan: Plan) -> None:
    """An enrollment read before a write of the same request must not be served the state of before."""
    row = Enrollment.objects.select_related("plan").get(pk=enrollment.pk)
    assert state.load(row) == frozenset()  # kept under this row now
    task = tasks_of(plan, 1)[0]
    TaskCompletion.objects.create(enrollment=enrollment, task=task)
    with CaptureQueriesContext(connection) as ctx:
        assert state.load(row) == frozenset({task.pk})
    assert state_reads(ctx) == 1


@pytest.mark.django_db(transaction=True)
def test_a_tick_refused_by_the_database_leaves_a_working_connection(enrollment: Enrollment, plan: Plan) -> None:
    """A task deleted between the page and the tick: the foreign key (on PostgreSQL deferred, and checked as the
    tick's own transaction commits: progress.ticks) refuses the row, and the connection goes on working, out
    of any transaction."""
    task = tasks_of(plan, 1)[0]
    for _ in range(2):
        with pytest.raises(IntegrityError):
            ticks.set_done(enrollment.pk, 987_654_321, True, read_version=True)
        assert not TaskCompletion.objects.exists()
    # Another kind of refusal (a NOT NULL column): the transaction of the tick is ended all the same.
    with pytest.raises(IntegrityError):
        ticks.set_done(None, task.pk, True, read_version=True)  # type: ignore[arg-type]  # NOT NULL
    assert not TaskCompletion.objects.exists()
    version = Enrollment.objects.get(pk=enrollment.pk).state_version
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (1, version + 1)
    assert ticks.set_done(enrollment.pk, task.pk, True, read_version=True) == (0, version + 1)
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert TaskCompletion.objects.get().task_id == task.pk


@pytest.mark.django_db(transaction=True)
def test_ticks_in_autocommit_as_in_production(alice_client: Client, enrollment: Enrollment, plan: Plan) -> None:
    """Outside the tests' own transaction: every tick commits by itself, and the states kept in between are
    the committed ones."""
    first, second = (t.pk for t in tasks_of(plan, 1)[:2])
    alice_client.get("/days/1/")
    assert tick(alice_client, first) == ((1, 1, 4), 0)
    assert tick(alice_client, second) == ((2, 2, 4), 0)
    assert tick(alice_client, first, done=False) == ((1, 1, 4), 0)
    assert not connection.in_atomic_block
    assert set(TaskCompletion.objects.values_list("task_id", flat=True)) == {second}
    assert 'data-done="1"' in alice_client.get("/progress/").content.decode()


def test_a_tick_without_a_kept_state_reads_it_once(alice_client: Client, enrollment: Enrollment, plan: Plan) -> None:
    """The learner's last page was drawn by another web process (this one keeps nothing): the tick's answer
    reads the state once, and the next page of this process reads none. On PostgreSQL the state comes in the
    write's own statement (the state just before it, progress.ticks.set_done_with_state_before); elsewhere
    it is read after the write and its counter."""
    first, second = (t.pk for t in tasks_of(plan, 1)[:2])
    tick_tasks(enrollment, tasks_of(plan, 1)[2])
    alice_client.get("/days/1/")
    page_cache.forget_local()
    with CaptureQueriesContext(connection) as ctx:
        response = alice_client.post(f"/days/1/tasks/{first}/toggle/", {"done": "1"}, headers=HTMX)
    assert counters(response.content.decode()) == (2, 2, 4)
    assert state_reads(ctx) == 1
    # The session with the user and the enrollments, then the write with the state (PostgreSQL: one
    # statement), or the write, its counter and the state (elsewhere).
    statements = [q["sql"] for q in ctx.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 2 and "progress_set_done" in statements[1]
    else:
        assert len(statements) == 4 and "INSERT INTO progress_taskcompletion" in statements[1]
    assert '"progress_enrollment"."state_version"' in statements[-1]
    page_cache.forget_local()
    assert tick(alice_client, second) == ((3, 3, 4), 1)
    assert tick(alice_client, first, done=False) == ((2, 2, 4), 0)
    with CaptureQueriesContext(connection) as page:
        assert 'data-done="2"' in alice_client.get("/progress/").content.decode()
    assert state_reads(page) == 0
    assert set(TaskCompletion.objects.values_list("task_id", flat=True)) == {second, tasks_of(plan, 1)[2].pk}


@pytest.mark.django_db(transaction=True)
def test_a_tick_without_a_kept_state_keeps_the_state_after_it(enrollment: Enrollment, plan: Plan) -> None:
    """In autocommit, as in production. On PostgreSQL the state before the write comes with it, and the state
    after is derived and kept under the counter the write moved to; elsewhere the row in hand is brought to
    that counter and the state read next is kept under it. Either way the next tick derives its state from the
    kept one without a read."""
    task = tasks_of(plan, 1)[0]
    tick_tasks(enrollment, tasks_of(plan, 1)[1])
    other = tasks_of(plan, 1)[1].pk
    row = Enrollment.objects.select_related("plan").get(pk=enrollment.pk)
    version = row.state_version
    with CaptureQueriesContext(connection) as ctx:
        state.set_done(row, task.pk, True)
    assert row.state_version == version + 1
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1 and state_reads(ctx) == 1
    else:
        assert state_reads(ctx) == 0
        assert page_cache.kept("learner-state", page_cache.enrollment_key(row)) is None
        assert state.load(row) == frozenset({task.pk, other})
    assert page_cache.kept("learner-state", page_cache.enrollment_key(row)).ticked == frozenset({task.pk, other})
    assert connection.get_autocommit() and not connection.in_atomic_block
    with CaptureQueriesContext(connection) as ctx:
        state.set_done(row, task.pk, False)  # derived from the state kept just now
    assert state_reads(ctx) == 0
    assert row.state_version == version + 2
    assert page_cache.kept("learner-state", page_cache.enrollment_key(row)).ticked == frozenset({other})
    assert set(TaskCompletion.objects.values_list("task_id", flat=True)) == {other}


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_write_landing_between_the_state_before_and_the_tick_is_read_not_guessed(
    enrollment: Enrollment, plan: Plan
) -> None:
    """Another request's tick commits after the tick's statement read the state before it, and before the
    tick's write: the counter read back moved by two, nothing is derived, and the state is read again."""
    mine, other = (t.pk for t in tasks_of(plan, 1)[:2])
    row = Enrollment.objects.select_related("plan").get(pk=enrollment.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (tick_pid,) = cursor.fetchone()
    locked, seen = threading.Event(), threading.Event()

    def other_request() -> None:
        # Its tick's trigger holds the enrollment row until it commits, which it does once the tick below
        # waits for it: the tick's statement has then read the state without this tick.
        try:
            with transaction.atomic():
                TaskCompletion.objects.create(enrollment_id=enrollment.pk, task_id=other)
                locked.set()
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    if blocked_by_me(tick_pid):
                        seen.set()
                        break
                    time.sleep(0.01)
        finally:
            connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    assert locked.wait(20)
    state.set_done(row, mine, True)
    thread.join(timeout=30)
    assert not thread.is_alive() and seen.is_set()  # the tick did wait for the other request's row lock
    assert row.state_version == Enrollment.objects.get(pk=enrollment.pk).state_version
    assert page_cache.kept("learner-state", page_cache.enrollment_key(row)) is None  # nothing derived
    assert state.load(row) == frozenset({mine, other})


def blocked_by_me(pid: int) -> bool:
    """Whether the backend `pid` waits for a lock this connection holds (read afresh: no snapshot of the
    activity view is involved)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [pid])
        (blocked,) = cursor.fetchone()
    return bool(blocked)


def test_a_tick_inside_a_transaction_keeps_nothing(enrollment: Enrollment, plan: Plan) -> None:
    """The state read after the write is not committed yet: it is used for the answer, never kept."""
    task = tasks_of(plan, 1)[0]
    row = Enrollment.objects.select_related("plan").get(pk=enrollment.pk)
    version = row.state_version
    with transaction.atomic():
        state.set_done(row, task.pk, True)
        assert row.state_version == version + 1
        assert state.load(row) == frozenset({task.pk})
        assert page_cache.kept("learner-state", page_cache.enrollment_key(row)) is None
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).exists()
