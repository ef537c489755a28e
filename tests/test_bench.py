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


def bench(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.bench", *args],
        cwd=ROOT,
        env={**os.environ, **env},
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


def test_reminders_prints_each_rounds_ratio_and_their_median(fresh_database_url: str, redis_url: str) -> None:
    from scripts.bench.db import drop_database

    try:
        result = bench(
            "reminders", "--learners=12", "--rounds=2", f"--database-url={fresh_database_url}", REDIS_URL=redis_url
        )
    finally:
        drop_database(fresh_database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    # Each round sent everybody exactly once (the suite checks the sink's recipients and the rows).
    rounds = re.findall(r"^\s+round (\d): worker\s+\d+ \(12 in .* ([\d.]+)%$", result.stdout, re.MULTILINE)
    assert [r for r, _ in rounds] == ["1", "2"], result.stdout
    median = re.search(r"ratio worker / raw: ([\d.]+)% \(([\d.]+)% to ([\d.]+)%\), the median of 2", result.stdout)
    assert median is not None, result.stdout
    ratios = sorted(float(r) for _, r in rounds)
    assert [float(median[2]), float(median[3])] == ratios
