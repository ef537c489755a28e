"""Load a plan fixture unless its plan is already in the database.

The compose stack runs this on every start (`manage.py ensure_plan multimodal_90_days`): the first start
seeds the plan; later starts leave it alone, so instructors' edits made in the admin are never overwritten
by the fixture again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.models import Plan


def find_fixture(name: str) -> Path:
    """The JSON fixture called `name` in an app's fixtures/ folder or in FIXTURE_DIRS."""
    filename = name if name.endswith(".json") else f"{name}.json"
    folders = [Path(app.path) / "fixtures" for app in apps.get_app_configs()]
    folders += [Path(folder) for folder in getattr(settings, "FIXTURE_DIRS", [])]
    for folder in folders:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    raise CommandError(f"No fixture named {filename} in any app's fixtures/ folder or FIXTURE_DIRS.")


def plan_slugs(path: Path) -> list[str]:
    try:
        objects: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read fixture {path}: {exc}") from exc
    slugs = [obj.get("fields", {}).get("slug") for obj in objects if obj.get("model") == "curriculum.plan"]
    if not slugs or not all(slugs):
        raise CommandError(f"Fixture {path} holds no curriculum.plan with a slug.")
    return [str(slug) for slug in slugs]


class Command(BaseCommand):
    help = "Load a plan fixture once: skip it when its plan (by slug) is already in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fixture", help="fixture name, e.g. multimodal_90_days")

    def handle(self, *args: Any, fixture: str, **options: Any) -> None:
        path = find_fixture(fixture)
        slugs = plan_slugs(path)
        present = set(Plan.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if present:
            self.stdout.write(f"Plan {', '.join(sorted(present))} already loaded; leaving it as it is.")
            return
        call_command("loaddata", str(path), verbosity=options.get("verbosity", 1))
        self.stdout.write(self.style.SUCCESS(f"Loaded plan {', '.join(slugs)} from {path.name}."))
