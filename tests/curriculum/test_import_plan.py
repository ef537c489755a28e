"""import_plan / export_plan: storing documents as rows and refusing bad input cleanly, naming the line (--replace:
test_import_replace.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Plan, Session, Task
from tests.curriculum.plan_documents import (
    BAD,
    OWN_DOCUMENTS,
    REFERENCE,
    SMALL,
    edit,
    export_plan,
    import_plan,
    plan_counts,
    refused,
    row_counts,
    task_at,
    write,
)

pytestmark = pytest.mark.django_db


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
    # One more: the INSERT of the reference's task -> resource citations (the small document cites nothing).
    assert len(large) == len(small) + 1
    assert len(large) <= 17  # the bulk writes, the citations, the version touch, the history row and ANALYZE


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


def test_it_refuses_a_document_with_a_nul_character_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(SMALL.replace("Task two", "Task\x00two").encode())
    before = row_counts()

    message = str(refused(path, "odd"))

    line = SMALL.split("\n").index("  - Task two") + 1
    assert f"plan.md:{line}:" in message
    assert "NUL" in message
    assert row_counts() == before
    assert not Plan.objects.filter(slug="odd").exists()


def test_it_refuses_a_directory(tmp_path: Path) -> None:
    assert "cannot read the document" in str(refused(tmp_path, "odd"))


def test_it_imports_a_document_with_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode())

    import_plan(path, "odd")

    plan = Plan.objects.get(slug="odd")
    assert plan.title == "Small plan"  # no BOM, no carriage return kept in the title


def long_document(days: int, tasks: int = 1) -> str:
    """One month, one week, `days` days of one session with `tasks` tasks each."""
    lines = ["# Long plan", "", "## 总体安排", "Long.", "", "## 第一个月：One", "", "### 第1周：Only week"]
    for number in range(1, days + 1):
        lines += ["", f"#### 第{number}天", "- **上午**：Topic"] + [f"  - Task {i}" for i in range(1, tasks + 1)]
    return "\n".join(lines)


def test_it_refuses_more_days_than_the_database_numbers_naming_the_line(tmp_path: Path) -> None:
    # Day numbers are smallints on PostgreSQL: day 32768 used to fail mid-import with a database error.
    path = tmp_path / "plan.md"
    path.write_text(long_document(days=10_000), encoding="utf-8")
    before = row_counts()

    message = str(refused(path, "odd"))

    line = long_document(days=10_000).split("\n").index("#### 第10000天") + 1
    assert f"plan.md:{line}: day number: 10000; at most 9999 fit" in message
    assert row_counts() == before


def test_it_refuses_a_session_with_more_tasks_than_positions_fit(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(long_document(days=1, tasks=10_000), encoding="utf-8")

    message = str(refused(path, "odd"))

    assert "plan.md:11: tasks in a session on day 1: 10000; at most 9999 fit" in message
    assert not Plan.objects.filter(slug="odd").exists()


def test_it_refuses_classic_mac_line_ends_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(SMALL.replace("\n", "\r").encode())

    message = str(refused(path, "odd"))

    assert "plan.md:1: a line ends with a bare carriage return (CR)" in message
    assert not Plan.objects.filter(slug="odd").exists()
