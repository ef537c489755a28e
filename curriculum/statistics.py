"""Keeping PostgreSQL's planner informed about the plan tables after a bulk write."""

from __future__ import annotations

from django.db import connection

from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week

# Every table an import writes to, in the order the rows are made.
PLAN_TABLES = (Plan, Phase, Week, Day, Session, Task, ResourceSection, Resource)


def refresh_statistics() -> None:
    """ANALYZE the plan tables on PostgreSQL, right after an import.

    The planner chooses joins from table statistics, which autovacuum refreshes only after a while. Until it
    does, a plan of thousands of freshly inserted days looks like an empty table, and the learner pages
    get nested-loop plans that run for minutes. ANALYZE samples a bounded number of rows, so it is quick
    whatever the size. Other databases (SQLite) keep no such statistics to refresh.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in PLAN_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
