"""`manage.py make_plan_fixture`: regenerate curriculum/fixtures/multimodal_90_days.json from the document.

The fixture is what the importer stores, serialised with natural keys (no primary keys, so `loaddata` never
overwrites another plan's rows and is idempotent) in document order, with fixed timestamps: the same document
always gives the same bytes. `--check` compares instead of writing (tests and CI use it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from curriculum.document import ParseError, parse_bytes
from curriculum.importer import PlanImportError, import_document
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week

APP_DIR = Path(__file__).resolve().parents[2]
SOURCE = APP_DIR / "plans" / "multimodal-90-days.zh.md"
OUTPUT = APP_DIR / "fixtures" / "multimodal_90_days.json"
SLUG = "multimodal-90-days"
# Fixed, so that regenerating the fixture from an unchanged document changes no byte.
TIMESTAMP = datetime(2026, 1, 1, tzinfo=UTC)


def build_fixture(source: Path = SOURCE, slug: str = SLUG) -> str:
    """Import `source` inside a transaction that is rolled back, and serialise exactly that plan's rows."""
    doc = parse_bytes(source.read_bytes())
    with transaction.atomic():
        # A database that already holds the plan (say, a developer's) keeps it: it is renamed for the duration
        # and the rollback below restores it.
        Plan.objects.filter(slug=slug).update(slug=f"{slug[:80]}-moved-aside")
        plan = import_document(doc, slug).plan
        plan.created_at = plan.updated_at = TIMESTAMP
        rows = _plan_rows(plan)
        text = serializers.serialize(
            "json",
            rows,
            fields=_fixture_fields(rows),
            indent=2,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        transaction.set_rollback(True)
    return text


def _fixture_fields(rows: list[models.Model]) -> list[str]:
    # The plan's cache version is random and per database: a loaded plan gets its own fresh one.
    names = {f.name for row in rows for f in row._meta.local_fields}
    return sorted(names - {"version"})


def _plan_rows(plan: Plan) -> list[models.Model]:
    """Parents before children, each in document order (natural keys need their targets loaded first)."""
    return [
        plan,
        *Phase.objects.filter(plan=plan).select_related("plan").order_by("number"),
        *Week.objects.filter(plan=plan).select_related("plan", "phase__plan").order_by("number"),
        *Day.objects.filter(plan=plan).select_related("plan", "week__plan").order_by("number"),
        *Session.objects.filter(day__plan=plan).select_related("day__plan").order_by("day__number", "position"),
        *Task.objects.filter(session__day__plan=plan)
        .select_related("session__day__plan")
        .order_by("session__day__number", "session__position", "position"),
        *ResourceSection.objects.filter(plan=plan).select_related("plan").order_by("position"),
        *Resource.objects.filter(section__plan=plan)
        .select_related("section__plan")
        .order_by("section__position", "position"),
    ]


class Command(BaseCommand):
    help = f"Regenerate {OUTPUT.relative_to(settings.BASE_DIR)} from {SOURCE.relative_to(settings.BASE_DIR)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the committed fixture is out of date")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        try:
            text = build_fixture(SOURCE, SLUG)
        except ParseError as exc:
            raise CommandError(f"{SOURCE}:{exc.line}: {exc.message}") from None
        except PlanImportError as exc:
            raise CommandError(f"{SOURCE}: {exc.message}") from None
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if check:
            if current != text:
                raise CommandError(f"{OUTPUT} is out of date: run `uv run manage.py make_plan_fixture`")
            self.stdout.write(f"{OUTPUT.name} is up to date.")
            return
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8", newline="")
        self.stdout.write(f"Wrote {OUTPUT} ({'unchanged' if current == text else 'updated'}).")
