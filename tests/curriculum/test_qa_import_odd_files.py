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
