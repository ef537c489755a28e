"""import_plan / export_plan: storing documents as rows, refusing bad input cleanly, and --replace keeping progress."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from dataclasses import replace
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum import document as d
from curriculum.importer import import_document
from curriculum.models import Day, Plan, Session, Task
from progress.models import DayNote, Enrollment, TaskCompletion
from tests.curriculum.plan_documents import OWN_DOCUMENTS, REFERENCE, SMALL, plan_counts, row_counts
from tests.curriculum.test_document import BAD, _generated_document, delete, edit

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, text: str, name: str = "plan.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_plan(path: Path, slug: str, *flags: str) -> str:
    out = StringIO()
    call_command("import_plan", str(path), "--slug", slug, *flags, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_plan(slug: str) -> str:
    out = StringIO()
    call_command("export_plan", slug, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path: Path, slug: str, *flags: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        import_plan(path, slug, *flags)
    assert info.value.returncode == 1
    return info.value


def task_at(plan: Plan, day: int, session: int, position: int) -> Task:
    return Task.objects.get(
        session__day__plan=plan, session__day__number=day, session__position=session, position=position
    )


def enroll(user: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=user, plan=plan, start_date=date(2026, 3, 2))


# --- importing and exporting --------------------------------------------------------------------------------


def test_it_imports_the_reference_document() -> None:
    out = import_plan(REFERENCE, "multimodal-90-days")

    assert out.strip() == (
        "Plan 'multimodal-90-days' created: 3 phases, 12 weeks, 60 days, 118 sessions, 240 tasks, "
        "13 resources in 3 sections."
    )
    plan = Plan.objects.get(slug="multimodal-90-days")
    assert plan_counts(plan) == (3, 12, 60, 118, 240, 3, 13)
    assert plan.published is True
    assert plan.title == "多模态领域超详细速成学习计划（90天）"
    day4 = Day.objects.get(plan=plan, number=4)
    assert day4.week.number == 1 and day4.week.phase.number == 1
    session = day4.sessions.get()
    assert (session.slot, session.topic, session.position) == (Session.Slot.FULL_DAY, "CLIP模型实践", 1)
    assert list(session.tasks.order_by("position").values_list("text", flat=True)) == [
        "阅读CLIP论文摘要和方法部分",
        "运行HuggingFace的CLIP教程",
        "完成图像-文本匹配小实验",
    ]
    assert Day.objects.get(plan=plan, number=60).week.phase.title == "项目强化与前沿探索"


def test_export_reproduces_the_reference_document_byte_for_byte() -> None:
    import_plan(REFERENCE, "multimodal-90-days")
    assert export_plan("multimodal-90-days") == REFERENCE.read_text(encoding="utf-8")


def test_export_writes_utf8_bytes_to_standard_output(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    import_plan(REFERENCE, "multimodal-90-days")
    call_command("export_plan", "multimodal-90-days")
    assert capfdbinary.readouterr().out == REFERENCE.read_bytes()


@pytest.mark.parametrize("path", OWN_DOCUMENTS, ids=lambda p: p.name)
def test_it_round_trips_other_documents_through_the_database(path: Path) -> None:
    import_plan(path, "other")
    assert export_plan("other") == path.read_text(encoding="utf-8").removesuffix("\n")


def test_it_stores_a_short_course_with_its_own_shape() -> None:
    import_plan(OWN_DOCUMENTS[0], "rust")
    plan = Plan.objects.get(slug="rust")
    assert plan_counts(plan) == (2, 3, 5, 7, 18, 3, 6)
    assert plan.resources_heading == "Resources"
    assert list(plan.weeks.order_by("number").values_list("days__number", flat=True)) == [1, 2, 3, 4, 5]
    assert task_at(plan, 2, 1, 4).text == '在 [论坛](https://users.rust-lang.org/) 搜索 "borrow checker" 常见问题'


def test_an_import_is_a_handful_of_queries_whatever_the_plan_size(tmp_path: Path) -> None:
    with CaptureQueriesContext(connection) as small:
        import_plan(write(tmp_path, SMALL), "small")
    with CaptureQueriesContext(connection) as large:
        import_plan(REFERENCE, "large")
    assert len(large) == len(small)
    assert len(large) <= 15


def test_an_export_is_a_constant_number_of_queries(tmp_path: Path) -> None:
    import_plan(write(tmp_path, SMALL), "small")
    import_plan(REFERENCE, "large")
    with CaptureQueriesContext(connection) as small:
        export_plan("small")
    with CaptureQueriesContext(connection) as large:
        export_plan("large")
    assert len(large) == len(small) <= 10


def test_it_stores_an_unpublished_plan_when_asked(tmp_path: Path) -> None:
    import_plan(write(tmp_path, SMALL), "small", "--unpublished")
    assert Plan.objects.get(slug="small").published is False


def test_it_notes_when_the_document_is_not_in_the_standard_layout(tmp_path: Path) -> None:
    err = StringIO()
    path = write(tmp_path, SMALL.replace("\n\n", "\n\n\n"))
    call_command("import_plan", str(path), "--slug", "small", stdout=StringIO(), stderr=err)
    assert "not in the standard layout" in err.getvalue()
    assert export_plan("small") == SMALL


def test_export_names_the_known_plans_for_an_unknown_slug(tmp_path: Path) -> None:
    import_plan(write(tmp_path, SMALL), "small")
    with pytest.raises(CommandError, match=r"no plan with slug 'nope' \(plans: small\)"):
        export_plan("nope")


def test_export_warns_when_admin_edits_broke_the_format(tmp_path: Path) -> None:
    import_plan(write(tmp_path, SMALL), "small")
    Task.objects.filter(session__day__number=2).delete()
    err = StringIO()
    call_command("export_plan", "small", stdout=StringIO(), stderr=err)
    assert "would not import again" in err.getvalue()
    assert "the 全天 session has no task" in err.getvalue()


def test_curriculum_never_imports_from_progress() -> None:
    for path in (Path(settings.BASE_DIR) / "curriculum").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "progress" or n.startswith("progress.") for n in names), path


# --- bad input: a clear error naming the line, exit code 1, database unchanged ------------------------------


@pytest.mark.parametrize(("text", "line", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_it_refuses_a_malformed_document_and_changes_nothing(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    import_plan(write(tmp_path, SMALL, "existing.md"), "existing")
    before = row_counts()
    path = write(tmp_path, text)

    error = refused(path, "existing", "--replace")

    assert str(error).startswith(f"{path}:{line}: ")
    assert fragment in str(error)
    assert row_counts() == before
    assert export_plan("existing") == SMALL


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes(SMALL.encode("gbk"))
    error = refused(path, "small")
    # The first non-ASCII text, "总体安排", is on line 3.
    assert str(error).startswith(f"{path}:3: the file is not UTF-8 text")
    assert row_counts()["Plan"] == 0


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    error = refused(tmp_path / "missing.md", "small")
    assert "cannot read the document" in str(error)


def test_it_refuses_an_existing_slug_without_replace(tmp_path: Path) -> None:
    import_plan(write(tmp_path, SMALL, "first.md"), "small")
    before = row_counts()
    error = refused(write(tmp_path, edit(SMALL, 1, "# Another title")), "small")
    assert "a plan with slug 'small' already exists; pass --replace" in str(error)
    assert row_counts() == before
    assert Plan.objects.get(slug="small").title == "Small plan"


def test_it_refuses_an_invalid_slug(tmp_path: Path) -> None:
    error = refused(write(tmp_path, SMALL), "not a slug!")
    assert "'not a slug!' is not a valid slug" in str(error)
    assert row_counts()["Plan"] == 0


def test_it_refuses_a_slug_too_long(tmp_path: Path) -> None:
    error = refused(write(tmp_path, SMALL), "s" * 101)
    assert "the slug is 101 characters long; at most 100 fit" in str(error)
    assert row_counts()["Plan"] == 0


def test_it_refuses_a_title_too_long_for_its_column_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, edit(SMALL, 8, "### 第1周：" + "长" * 201))
    error = refused(path, "small")
    assert str(error) == f"{path}:8: the title of week 1 is 201 characters long; at most 200 fit"
    assert row_counts()["Plan"] == 0


def test_the_command_line_exits_non_zero_with_the_message(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_plan", str(path), "--slug", "x"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert f"{path}:1: the document is empty" in proc.stderr


# --- --replace ----------------------------------------------------------------------------------------------

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
    assert len(large) == len(small) <= 25


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
    before = _generated_document(seed)
    after = _shuffled_within_days(before, random.Random(seed))
    plan = import_document(before, "shuffled").plan
    ids = set(Task.objects.filter(session__day__plan=plan).values_list("pk", flat=True))

    result = import_document(after, "shuffled", replace=True)

    assert (result.tasks_added, result.tasks_removed) == (0, 0)
    assert set(Task.objects.filter(session__day__plan=plan).values_list("pk", flat=True)) == ids
    assert export_plan("shuffled") == d.render(after)


@pytest.mark.parametrize("seed", range(6))
def test_replace_between_documents_of_different_shapes_exports_the_new_one(seed: int) -> None:
    import_document(_generated_document(seed), "shapes")
    new = _generated_document(seed + 100)
    import_document(new, "shapes", replace=True)
    assert export_plan("shapes") == d.render(new)
