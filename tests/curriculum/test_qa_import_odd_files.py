"""import_plan on odd files found by QA: each is refused with a line number and nothing is written."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum.models import Plan
from tests.curriculum.plan_documents import SMALL, row_counts

pytestmark = pytest.mark.django_db


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as info:
        call_command("import_plan", str(path), "--slug", "odd", stdout=StringIO(), stderr=StringIO())
    assert info.value.returncode == 1
    return str(info.value)


def test_it_refuses_a_document_with_a_nul_character_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(SMALL.replace("Task two", "Task\x00two").encode())
    before = row_counts()

    message = refused(path)

    line = SMALL.split("\n").index("  - Task two") + 1
    assert f"plan.md:{line}:" in message
    assert "NUL" in message
    assert row_counts() == before
    assert not Plan.objects.filter(slug="odd").exists()


def test_it_refuses_a_directory(tmp_path: Path) -> None:
    assert "cannot read the document" in refused(tmp_path)


def test_it_imports_a_document_with_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode())

    call_command("import_plan", str(path), "--slug", "odd", stdout=StringIO(), stderr=StringIO())

    plan = Plan.objects.get(slug="odd")
    assert plan.title == "Small plan"  # no BOM, no carriage return kept in the title


def document(days: int, tasks: int = 1) -> str:
    lines = ["# Long plan", "", "## 总体安排", "Long.", "", "## 第一个月：One", "", "### 第1周：Only week"]
    for number in range(1, days + 1):
        lines += ["", f"#### 第{number}天", "- **上午**：Topic"] + [f"  - Task {i}" for i in range(1, tasks + 1)]
    return "\n".join(lines)


def test_it_refuses_more_days_than_the_database_numbers_naming_the_line(tmp_path: Path) -> None:
    # Day numbers are smallints on PostgreSQL: day 32768 used to fail mid-import with a database error.
    path = tmp_path / "plan.md"
    path.write_text(document(days=10_000), encoding="utf-8")
    before = row_counts()

    message = refused(path)

    line = document(days=10_000).split("\n").index("#### 第10000天") + 1
    assert f"plan.md:{line}: day number: 10000; at most 9999 fit" in message
    assert row_counts() == before


def test_it_refuses_a_session_with_more_tasks_than_positions_fit(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(document(days=1, tasks=10_000), encoding="utf-8")

    message = refused(path)

    assert "plan.md:11: tasks in a session on day 1: 10000; at most 9999 fit" in message
    assert not Plan.objects.filter(slug="odd").exists()


def test_it_refuses_classic_mac_line_ends_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_bytes(SMALL.replace("\n", "\r").encode())

    message = refused(path)

    assert "plan.md:1: a line ends with a bare carriage return (CR)" in message
    assert not Plan.objects.filter(slug="odd").exists()
