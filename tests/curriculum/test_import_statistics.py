"""After an import, PostgreSQL has fresh statistics for the plan tables (ANALYZE), so the learner pages of a
freshly imported long plan get sensible query plans instead of ones made for an empty table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from curriculum.models import Day, Task
from tests.curriculum.plan_documents import REFERENCE, import_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


def estimated_rows(model: type[Day] | type[Task]) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


def test_an_import_leaves_the_planner_with_the_new_row_counts(tmp_path: Path) -> None:
    import_plan(REFERENCE, "reference")
    assert estimated_rows(Day) == Day.objects.count() == 60
    assert estimated_rows(Task) == Task.objects.count() == 240
