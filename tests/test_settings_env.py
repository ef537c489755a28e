"""Settings from the environment: typed readers that fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_reads_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("yes", True), ("On", True), ("0", False), ("false", False), ("", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", default=not expected) is expected
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", default=True) is True


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", default=False)


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be at least 0"):
        env_int("X_NUM", 1, minimum=0)
    monkeypatch.setenv("X_NUM", "42")
    assert env_int("X_NUM", 1, minimum=0) == 42


def test_env_list_splits_on_commas_and_refuses_an_empty_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.example , b.example ")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="X_HOSTS"):
        env_list("X_HOSTS", [])


def test_env_url_checks_the_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_URL", "ftp://example.com")
    with pytest.raises(ImproperlyConfigured, match="X_URL must be a URL starting with redis://"):
        env_url("X_URL", schemes=("redis",))


def test_database_is_sqlite_without_a_url_and_postgres_with_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_DB", raising=False)
    assert database_from_url("X_DB", Path("var/db.sqlite3"))["ENGINE"] == "django.db.backends.sqlite3"
    monkeypatch.setenv("X_DB", "postgres://learner:s%40cret@db.example:6543/plans?sslmode=require")
    db = database_from_url("X_DB", Path("/unused"))
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "plans",
        "learner",
        "s@cret",
        "db.example",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    "value", ["postgres://db.example:5432/", "postgres://db.example:notaport/plans", "mysql://db/plans"]
)
def test_a_bad_database_url_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("X_DB", value)
    with pytest.raises(ImproperlyConfigured, match="X_DB"):
        database_from_url("X_DB", Path("/unused"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "postgres://localhost/"),
        ("REDIS_URL", "http://localhost:6379"),
        ("DJANGO_ALLOWED_HOSTS", ","),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(name: str, value: str, tmp_path: Path) -> None:
    env = {**os.environ, name: value, "DJANGO_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert name in result.stderr
    assert "ImproperlyConfigured" in result.stderr
