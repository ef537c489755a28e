"""The benchmark suite (scripts/bench) runs end to end: a smoke test, no timing is asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.bench", *args],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=600,
    )


def url_for(name: str) -> str:
    """A URL on the test database's server for the database `name`."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


@pytest.fixture
def fresh_database_url(postgres: None) -> str:
    return url_for(f"studyplan_benchtest_{os.getpid()}")


def test_pages_quick_prints_a_ratio_per_page(fresh_database_url: str) -> None:
    from scripts.bench.db import drop_database

    try:
        result = bench("pages", "--quick", "--seconds=1", "--pages=today,tick", f"--database-url={fresh_database_url}")
    finally:
        drop_database(fresh_database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("today", "tick"):
        assert re.search(rf"^\s+{page}\s+[\d.]+\s+[\d.]+\s+[\d.]+%", result.stdout, re.MULTILINE), result.stdout
    assert "bad answers" not in result.stdout


@pytest.mark.django_db
def test_refuses_a_database_that_is_not_empty(postgres: None) -> None:
    name = connection.settings_dict["NAME"]
    result = bench("pages", "--quick", "--database-url", url_for(name))
    assert result.returncode != 0
    assert f"Refusing to use {name}: it is not empty" in result.stderr
    with connection.cursor() as cursor:  # still there, untouched: the learner it would have created is not
        cursor.execute("SELECT count(*) FROM auth_user WHERE username = 'bench-learner'")
        assert cursor.fetchone() == (0,)
