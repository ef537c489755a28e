"""import_plan --replace: a new edition of a plan keeps learners' progress on the tasks it keeps or moves, and is
refused, with nothing changed, when it would remove something a learner ticked or wrote a note on."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum import document as d
from curriculum.importer import import_document
from curriculum.models import Day, Plan, Session, Task
from progress.models import DayNote, Enrollment, TaskCompletion
from tests.curriculum.plan_documents import (
    OWN_DOCUMENTS,
    REFERENCE,
    SMALL,
    delete,
    edit,
    export_plan,
    generated_document,
    import_plan,
    plan_counts,
    refused,
    row_counts,
    task_at,
    write,
)

pytestmark = pytest.mark.django_db

# SMALL after an instructor's edits: day 1's tasks reordered, one moved to the morning session, a new task where
# the moved one was, the morning topic renamed, and a new week with a third day.
REORDERED = """# Small plan, second edition

## 总体安排
Three days.

## 第一个月：Basics

### 第1周：Start

#### 第1天
- **上午**：Morning topic, renamed
  - Task two
  - Task one
  - Task three
- **下午**：Afternoon topic
  - Brand new task

#### 第2天
- **全天**：Full day topic
  - Task four

### 第2周：More

#### 第3天
- **上午**：Extra
  - Task five

## 学习资源精选

### Papers
1. Paper two
2. Paper three"""


def enroll(user: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=user, plan=plan, start_date=date(2026, 3, 2))


@pytest.fixture
def small(tmp_path: Path) -> Plan:
    import_plan(write(tmp_path, SMALL, "small.md"), "small")
    return Plan.objects.get(slug="small")


def test_replace_keeps_progress_on_tasks_that_moved(small: Plan, alice: User, tmp_path: Path) -> None:
    enrollment = enroll(alice, small)
    one, two, three, four = (task_at(small, *key) for key in ((1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 1)))
    completions = [TaskCompletion.objects.create(enrollment=enrollment, task=t) for t in (one, three, four)]
    note = DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=small, number=1), body="notes")

    out = import_plan(write(tmp_path, REORDERED), "small", "--replace")

    assert "(tasks: 4 kept, 0 edited, 2 added, 0 removed)" in out
    for completion in completions:
        completion.refresh_from_db()  # still there, pointing at the same task rows
    assert [c.task_id for c in completions] == [one.pk, three.pk, four.pk]
    assert task_at(small, 1, 1, 1).pk == two.pk
    assert task_at(small, 1, 1, 2).pk == one.pk
    assert task_at(small, 1, 1, 3).pk == three.pk  # moved from the afternoon into the morning
    assert task_at(small, 1, 2, 1).text == "Brand new task"
    assert task_at(small, 1, 2, 1).pk not in {one.pk, two.pk, three.pk, four.pk}
    note.refresh_from_db()
    assert note.day.number == 1
    assert export_plan("small") == REORDERED
    assert plan_counts(small) == (1, 2, 3, 4, 6, 1, 2)


def test_replace_treats_changed_text_at_the_same_place_as_an_edit(small: Plan, alice: User, tmp_path: Path) -> None:
    two = task_at(small, 1, 1, 2)
    completion = TaskCompletion.objects.create(enrollment=enroll(alice, small), task=two)

    out = import_plan(write(tmp_path, edit(SMALL, 13, "  - Task two, reworded")), "small", "--replace")

    assert "(tasks: 3 kept, 1 edited, 0 added, 0 removed)" in out
    two.refresh_from_db()
    assert two.text == "Task two, reworded"
    completion.refresh_from_db()
    assert completion.task_id == two.pk


def test_replace_moves_ticked_tasks_out_of_a_session_it_removes(small: Plan, alice: User, tmp_path: Path) -> None:
    three = task_at(small, 1, 2, 1)
    completion = TaskCompletion.objects.create(enrollment=enroll(alice, small), task=three)
    merged = edit(delete(SMALL, 13, 15), 11, "- **全天**：Merged\n  - Task three")

    out = import_plan(write(tmp_path, merged), "small", "--replace")

    assert "(tasks: 3 kept, 0 edited, 0 added, 1 removed)" in out
    completion.refresh_from_db()
    assert completion.task_id == three.pk
    assert task_at(small, 1, 1, 1).pk == three.pk
    assert Session.objects.filter(day__plan=small, day__number=1).count() == 1
    assert export_plan("small") == merged


def test_replace_refuses_to_remove_a_task_learners_ticked(small: Plan, alice: User, tmp_path: Path) -> None:
    TaskCompletion.objects.create(enrollment=enroll(alice, small), task=task_at(small, 1, 1, 2))
    before = row_counts()
    path = write(tmp_path, delete(SMALL, 13, 13))

    error = refused(path, "small", "--replace")

    message = str(error)
    assert message.startswith(f"{path}: import refused, nothing was changed")
    assert 'day 1, task "Task two": removed, but 1 learner(s) ticked it' in message
    assert "delete that progress first" in message
    assert row_counts() == before
    assert TaskCompletion.objects.count() == 1
    assert export_plan("small") == SMALL


def test_replace_refuses_to_remove_a_day_with_a_note_or_ticks(
    small: Plan, alice: User, bob: User, tmp_path: Path
) -> None:
    day2 = Day.objects.get(plan=small, number=2)
    for user in (alice, bob):
        enrollment = enroll(user, small)
        DayNote.objects.create(enrollment=enrollment, day=day2, body="mine")
    TaskCompletion.objects.create(enrollment=Enrollment.objects.get(user=alice), task=task_at(small, 2, 1, 1))
    before = row_counts()

    error = refused(write(tmp_path, delete(SMALL, 16, 19)), "small", "--replace")

    assert "day 2: removed, but 2 learner note(s) are on it" in str(error)
    assert 'day 2, task "Task four": removed, but 1 learner(s) ticked it' in str(error)
    assert row_counts() == before
    assert DayNote.objects.filter(day=day2).count() == 2


def test_replace_removes_what_nobody_has_progress_on(small: Plan, alice: User, tmp_path: Path) -> None:
    TaskCompletion.objects.create(enrollment=enroll(alice, small), task=task_at(small, 1, 1, 1))
    shorter = delete(SMALL, 13, 13)

    out = import_plan(write(tmp_path, shorter), "small", "--replace")

    assert "(tasks: 3 kept, 0 edited, 0 added, 1 removed)" in out
    assert export_plan("small") == shorter
    assert TaskCompletion.objects.get().task.text == "Task one"


def test_replace_can_change_the_whole_shape_of_a_plan(tmp_path: Path) -> None:
    import_plan(REFERENCE, "plan")
    rust = OWN_DOCUMENTS[0]
    import_plan(rust, "plan", "--replace")
    assert export_plan("plan") == rust.read_text(encoding="utf-8").removesuffix("\n")
    assert plan_counts(Plan.objects.get(slug="plan")) == (2, 3, 5, 7, 18, 3, 6)
    import_plan(REFERENCE, "plan", "--replace")
    assert export_plan("plan") == REFERENCE.read_text(encoding="utf-8")
    assert plan_counts(Plan.objects.get(slug="plan")) == (3, 12, 60, 118, 240, 3, 13)


def test_replace_keeps_the_published_flag_unless_told(small: Plan, tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    import_plan(path, "small", "--replace", "--unpublished")
    assert Plan.objects.get(slug="small").published is False
    import_plan(path, "small", "--replace")
    assert Plan.objects.get(slug="small").published is False


def test_a_dry_run_reports_what_a_replace_would_do_and_writes_nothing(small: Plan, alice: User, tmp_path: Path) -> None:
    TaskCompletion.objects.create(enrollment=enroll(alice, small), task=task_at(small, 1, 1, 1))
    before = row_counts()

    out = import_plan(write(tmp_path, REORDERED), "small", "--replace", "--dry-run")

    assert out.startswith("Dry run, nothing was written. Plan 'small' replaced:")
    assert "(tasks: 4 kept, 0 edited, 2 added, 0 removed)" in out
    assert row_counts() == before
    assert export_plan("small") == SMALL


def test_a_dry_run_still_reports_a_refused_replace(small: Plan, alice: User, tmp_path: Path) -> None:
    TaskCompletion.objects.create(enrollment=enroll(alice, small), task=task_at(small, 1, 1, 2))
    error = refused(write(tmp_path, delete(SMALL, 13, 13)), "small", "--replace", "--dry-run")
    assert 'day 1, task "Task two"' in str(error)


def test_replace_on_a_new_slug_creates_the_plan(tmp_path: Path) -> None:
    out = import_plan(write(tmp_path, SMALL), "fresh", "--replace")
    assert "Plan 'fresh' created" in out


def test_a_replace_is_a_constant_number_of_queries(tmp_path: Path) -> None:
    small_path = write(tmp_path, SMALL)
    import_plan(small_path, "small")
    import_plan(REFERENCE, "large")
    with CaptureQueriesContext(connection) as small:
        import_plan(small_path, "small", "--replace")
    with CaptureQueriesContext(connection) as large:
        import_plan(REFERENCE, "large", "--replace")
    # The citations add to both: the matcher reads tasks and resources and DELETEs the old automatic links;
    # the large one INSERTs the reference's new links too (the small document cites nothing).
    assert len(large) == len(small) + 1 <= 26


def _shuffled_within_days(doc: d.Document, rng: random.Random) -> d.Document:
    """The same tasks, each day's texts dealt out again in another order over its sessions."""

    def day(old: d.Day) -> d.Day:
        texts = [t for s in old.sessions for t in s.tasks]
        rng.shuffle(texts)
        sessions = []
        for s in old.sessions:
            sessions.append(replace(s, tasks=tuple(texts[: len(s.tasks)])))
            texts = texts[len(s.tasks) :]
        return replace(old, sessions=tuple(sessions))

    return replace(
        doc,
        phases=tuple(
            replace(p, weeks=tuple(replace(w, days=tuple(day(x) for x in w.days)) for w in p.weeks)) for p in doc.phases
        ),
    )


@pytest.mark.parametrize("seed", range(6))
def test_replace_with_tasks_shuffled_within_days_keeps_every_task_row(seed: int) -> None:
    before = generated_document(seed)
    after = _shuffled_within_days(before, random.Random(seed))
    plan = import_document(before, "shuffled").plan
    ids = set(Task.objects.filter(session__day__plan=plan).values_list("pk", flat=True))

    result = import_document(after, "shuffled", replace=True)

    assert (result.tasks_added, result.tasks_removed) == (0, 0)
    assert set(Task.objects.filter(session__day__plan=plan).values_list("pk", flat=True)) == ids
    assert export_plan("shuffled") == d.render(after)


@pytest.mark.parametrize("seed", range(6))
def test_replace_between_documents_of_different_shapes_exports_the_new_one(seed: int) -> None:
    import_document(generated_document(seed), "shapes")
    new = generated_document(seed + 100)
    import_document(new, "shapes", replace=True)
    assert export_plan("shapes") == d.render(new)
