"""`manage.py ensure_plan`: the compose stack seeds the plan on first start and never overwrites it later."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum.models import Day, Plan, Task
from tests.factories import make_plan


@pytest.fixture
def fixture_dir(db: None, tmp_path: Path, settings) -> Path:
    """A fixture file of a small plan, made by dumpdata; the plan itself is then removed from the database."""
    make_plan(slug="small", days=3)
    call_command("dumpdata", "curriculum", output=str(tmp_path / "small_plan.json"), verbosity=0)
    Plan.objects.all().delete()
    settings.FIXTURE_DIRS = [tmp_path]
    return tmp_path


def run(name: str) -> str:
    out = StringIO()
    call_command("ensure_plan", name, stdout=out)
    return out.getvalue()


def test_it_loads_the_plan_when_it_is_absent(fixture_dir: Path) -> None:
    output = run("small_plan")
    assert "Loaded plan small" in output
    plan = Plan.objects.get(slug="small")
    assert Day.objects.filter(plan=plan).count() == 3
    assert Task.objects.filter(session__day__plan=plan).count() == 12


def test_it_leaves_an_existing_plan_and_its_edits_alone(fixture_dir: Path) -> None:
    run("small_plan")
    Plan.objects.filter(slug="small").update(title="Edited by an instructor")
    Task.objects.filter(position=2).delete()
    output = run("small_plan")
    assert "already loaded" in output
    plan = Plan.objects.get(slug="small")
    assert plan.title == "Edited by an instructor"
    assert Task.objects.filter(session__day__plan=plan).count() == 6


def test_a_missing_fixture_is_a_clear_error(fixture_dir: Path) -> None:
    with pytest.raises(CommandError, match=r"No fixture named nope\.json"):
        run("nope")
    assert not Plan.objects.exists()


def test_a_fixture_without_a_plan_is_refused(fixture_dir: Path) -> None:
    (fixture_dir / "no_plan.json").write_text(json.dumps([{"model": "auth.group", "fields": {"name": "x"}}]))
    with pytest.raises(CommandError, match=r"holds no curriculum\.plan"):
        run("no_plan")


def test_a_broken_fixture_is_refused_without_loading_anything(fixture_dir: Path) -> None:
    (fixture_dir / "broken.json").write_text("[{not json")
    with pytest.raises(CommandError, match="Cannot read fixture"):
        run("broken")
    assert not Plan.objects.exists()
