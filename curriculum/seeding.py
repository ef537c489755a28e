"""Loading a plan fixture once, and never over rows that are already there.

Shared by `manage.py ensure_plan` (the compose stack's seed step, on every start) and `manage.py quickstart`:
the first run loads the plan; later runs find it and leave it alone, so instructors' edits in the admin are
never overwritten by the fixture again. `loaddata` replaces rows that have the fixture's ids, so a fixture
whose ids are taken by other rows (another plan imported first) is not loaded at all.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.core.management import call_command

from curriculum.models import Plan


class Outcome(StrEnum):
    PRESENT = "present"  # a plan of the fixture is in the database already; nothing was loaded
    MISSING = "missing"  # there is no fixture file
    IN_THE_WAY = "in the way"  # other rows hold the fixture's ids; nothing was loaded
    LOADED = "loaded"


@dataclass(frozen=True)
class Seeding:
    outcome: Outcome
    present: list[str] = field(default_factory=list)  # PRESENT: the slugs found
    in_the_way: list[str] = field(default_factory=list)  # IN_THE_WAY: labels of the models whose ids are taken


def rows_in_the_way(fixture: Path) -> list[str]:
    """Labels of models whose fixture ids are already taken: loading would silently overwrite those rows."""
    ids: dict[str, list[object]] = defaultdict(list)
    for row in json.loads(fixture.read_text(encoding="utf-8")):
        if row.get("pk") is not None:
            ids[row["model"]].append(row["pk"])
    return [
        label
        for label, pks in sorted(ids.items())
        if apps.get_model(label)._default_manager.filter(pk__in=pks).exists()
    ]


def load_once(fixture: Path, slugs: Collection[str], verbosity: int = 0) -> Seeding:
    """Load `fixture` unless one of the plans `slugs` is in the database already or its ids are taken."""
    present = sorted(Plan.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if present:
        return Seeding(Outcome.PRESENT, present=present)
    if not fixture.is_file():
        return Seeding(Outcome.MISSING)
    clashes = rows_in_the_way(fixture)
    if clashes:
        return Seeding(Outcome.IN_THE_WAY, in_the_way=clashes)
    call_command("loaddata", str(fixture), verbosity=verbosity)
    return Seeding(Outcome.LOADED)
