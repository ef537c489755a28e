"""The committed fixture: made by the importer from the in-repo document, up to date, and loadable."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum.management.commands.make_plan_fixture import OUTPUT, build_fixture
from curriculum.models import Plan, Task
from tests.curriculum.plan_documents import REFERENCE, export_plan, plan_counts, row_counts
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


def test_the_committed_fixture_is_what_the_command_makes_now() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == build_fixture()


def test_make_plan_fixture_check_passes_for_the_committed_fixture() -> None:
    out = StringIO()
    call_command("make_plan_fixture", "--check", stdout=out)
    assert "is up to date" in out.getvalue()


def test_make_plan_fixture_check_fails_when_the_document_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = tmp_path / "plan.md"
    changed.write_text(
        REFERENCE.read_text(encoding="utf-8").replace("多模态学习概述", "多模态学习导论"), encoding="utf-8"
    )
    monkeypatch.setattr("curriculum.management.commands.make_plan_fixture.SOURCE", changed)
    with pytest.raises(CommandError, match="is out of date"):
        call_command("make_plan_fixture", "--check", stdout=StringIO())


def test_the_fixture_is_deterministic_and_has_no_primary_keys() -> None:
    first = build_fixture()
    assert build_fixture() == first
    rows = json.loads(first)
    assert all("pk" not in row for row in rows)
    assert rows[0]["fields"]["created_at"] == rows[0]["fields"]["updated_at"] == "2026-01-01T00:00:00Z"


def test_building_the_fixture_leaves_the_database_as_it_was() -> None:
    # A developer's database may already hold the plan, with local edits: they survive regenerating.
    call_command("import_plan", str(REFERENCE), "--slug", "multimodal-90-days", stdout=StringIO())
    plan = Plan.objects.get(slug="multimodal-90-days")
    Task.objects.filter(session__day__plan=plan, session__day__number=1).update(text="edited locally")
    before = row_counts()

    build_fixture()

    assert row_counts() == before
    assert Plan.objects.get(slug="multimodal-90-days").pk == plan.pk
    assert Task.objects.filter(session__day__plan=plan, text="edited locally").count() == 4


def test_loaddata_gives_the_plan_export_reproduces_it_and_loading_again_changes_nothing() -> None:
    other = make_plan(slug="other", days=3)
    other_counts = plan_counts(other)

    call_command("loaddata", "multimodal_90_days", verbosity=0)

    plan = Plan.objects.get(slug="multimodal-90-days")
    assert plan_counts(plan) == (3, 12, 60, 118, 240, 3, 13)
    assert plan.published is True
    assert export_plan("multimodal-90-days") == REFERENCE.read_text(encoding="utf-8")
    # Natural keys, not fixed ids: another plan's rows are never overwritten, and a second load is a no-op.
    before = row_counts()
    call_command("loaddata", "multimodal_90_days", verbosity=0)
    assert row_counts() == before
    assert plan_counts(other) == other_counts
    assert Plan.objects.get(slug="other").title == "Plan other"
    assert export_plan("multimodal-90-days") == REFERENCE.read_text(encoding="utf-8")
