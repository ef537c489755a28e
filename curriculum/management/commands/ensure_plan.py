"""Load a plan fixture unless its plan is already in the database (see curriculum.seeding).

The compose stack runs this on every start (`manage.py ensure_plan multimodal_90_days`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.seeding import Outcome, load_once


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
        seeding = load_once(path, slugs, verbosity=options.get("verbosity", 1))
        if seeding.outcome == Outcome.PRESENT:
            self.stdout.write(f"Plan {', '.join(seeding.present)} already loaded; leaving it as it is.")
            return
        if seeding.outcome == Outcome.IN_THE_WAY:
            raise CommandError(
                f"Not loading {path.name}: its rows would overwrite {', '.join(seeding.in_the_way)} already in "
                "the database (loaddata replaces rows with the same id). Import the plan document instead."
            )
        self.stdout.write(self.style.SUCCESS(f"Loaded plan {', '.join(slugs)} from {path.name}."))
