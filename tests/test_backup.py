"""scripts/backup.sh dumps a PostgreSQL database with learners and restores it into another with nothing lost:
the same tables with the same row counts, and the same ticks and notes to the byte (checksums)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from curriculum.models import Day, Task
from progress.models import DayNote, DayOff, Enrollment, ReminderDelivery, ScheduleChange, TaskCompletion
from tests.conftest import need
from tests.deploy_env import ROOT
from tests.factories import make_plan

SCRIPT = ROOT / "scripts" / "backup.sh"
# Every row of ticks and notes, in a fixed order, hashed: a changed, lost or extra row changes the sum.
CHECKSUMS = {
    "ticks": ("progress_taskcompletion", "id, enrollment_id, task_id, completed_at"),
    "notes": ("progress_daynote", "id, enrollment_id, day_id, body, version, updated_at"),
}
CHECKSUM_SQL = "SELECT md5(coalesce(string_agg(concat_ws('|', {columns}), ',' ORDER BY id), '')) FROM {table}"
TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"

pytestmark = [pytest.mark.usefixtures("postgres"), pytest.mark.django_db(transaction=True)]


def url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def state(database_url: str) -> dict[str, object]:
    """Row counts of every table, and the checksums of ticks and notes."""
    with psycopg.connect(database_url) as conn:
        tables = [row[0] for row in conn.execute(TABLES)]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]
        sums = {
            name: conn.execute(CHECKSUM_SQL.format(table=table, columns=columns)).fetchone()[0]  # type: ignore[index]
            for name, (table, columns) in CHECKSUMS.items()
        }
    return {"rows": counts, "sums": sums}


def run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def restore_target() -> Iterator[str]:
    """An empty database beside the test database, dropped afterwards."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        need("pg_dump and pg_restore are not installed")
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def learners_with_history() -> None:
    plan = make_plan(days=20)
    for n, name in enumerate(["alice", "bob", "chen"], start=1):
        user = User.objects.create_user(name, f"{name}@example.com", "correct-horse-battery")
        enrollment = Enrollment.objects.create(user=user, plan=plan, start_date=date(2026, 3, 2))
        TaskCompletion.objects.bulk_create(
            TaskCompletion(enrollment=enrollment, task=t)
            for t in Task.objects.filter(session__day__plan=plan)[: 10 * n]
        )
        DayNote.objects.bulk_create(
            DayNote(enrollment=enrollment, day=d, body=f"{name}: 笔记 *{d.number}*\n\n- [x] done\t✓")
            for d in Day.objects.filter(plan=plan, number__lte=n * 3)
        )
        DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 4, 1), end_date=date(2026, 4, n))
        ScheduleChange.objects.create(enrollment=enrollment, kind="shift", from_day=2, on_date=date(2026, 3, 9))
        ReminderDelivery.objects.create(enrollment=enrollment, local_date=date(2026, 3, 2), sent_at=timezone.now())


def test_a_dump_restored_into_an_empty_database_loses_nothing(tmp_path: Path, restore_target: str) -> None:
    learners_with_history()
    source = url(connection.settings_dict["NAME"])
    archive = tmp_path / "studyplan.dump"

    dumped = run("dump", str(archive), database_url=source)
    assert dumped.returncode == 0, dumped.stderr
    assert archive.stat().st_size > 0 and not (tmp_path / "studyplan.dump.partial").exists()
    restored = run("restore", str(archive), database_url=restore_target)
    assert restored.returncode == 0, restored.stderr

    before, after = state(source), state(restore_target)
    assert after == before
    rows = before["rows"]
    assert isinstance(rows, dict)
    assert rows["progress_taskcompletion"] == 60 and rows["progress_daynote"] == 18 and rows["auth_user"] == 3
    # Restoring again over the restored copy (what a real restore does to a live database) changes nothing.
    assert run("restore", str(archive), database_url=restore_target).returncode == 0
    assert state(restore_target) == before


def test_it_refuses_a_missing_archive_and_changes_nothing(tmp_path: Path, restore_target: str) -> None:
    result = run("restore", str(tmp_path / "nope.dump"), database_url=restore_target)
    assert result.returncode == 1 and "cannot read" in result.stderr
    assert run("bogus", database_url=restore_target).returncode == 2
