"""The learner tables carry no index that another index already covers: each one costs every write and its
space (the ticks table holds about a hundred rows per learner), and a lookup by a column is served just as well
by a composite index leading with it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes(table: str) -> dict[str, tuple[str, ...]]:
    """Every index of `table` (unique constraints too), by name: its columns in order."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(info["columns"])
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
    }


def covered(table: str) -> list[tuple[str, str]]:
    """(index, the longer index leading with its columns) pairs in `table`."""
    found = indexes(table)
    return [
        (name, other)
        for name, columns in found.items()
        for other, longer in found.items()
        if len(longer) > len(columns) and longer[: len(columns)] == columns
    ]


def test_no_learner_table_keeps_an_index_a_longer_one_covers() -> None:
    tables = {model._meta.db_table for model in apps.get_app_config("progress").get_models()}
    assert {table: covered(table) for table in sorted(tables) if covered(table)} == {
        # Instructors' sent nudges by sender, a handful of rows; its foreign key is left as Django makes it.
        "progress_nudge": [("progress_nudge_sender_id_356c14e7", "nudge_sender_time_idx")],
    }


def test_the_check_finds_a_covered_index() -> None:
    """The check above is not blind: an index on the ticks' enrollment alone is covered by (enrollment, task)."""
    with connection.cursor() as cursor:  # undone with the test's transaction, on both databases
        cursor.execute("CREATE INDEX test_covered_idx ON progress_taskcompletion (enrollment_id)")
    assert ("test_covered_idx", "completion_unique_task") in covered("progress_taskcompletion")
