"""The benchmark's own database and the environment every process of a run shares."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def default_url(name: str) -> str:
    """A database of its own per subcommand, on BENCH_DATABASE_SERVER (default: the local server)."""
    server = os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER).rstrip("/")
    return f"{server}/studyplan_bench_{name}"


def _split(url: str) -> tuple[str, str]:
    """(the server's maintenance-database URL, the database name) for a postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or not parts.path.strip("/"):
        raise SystemExit(f"--database-url must be postgres://user@host:port/name; got {url!r}")
    return urlunsplit(parts._replace(path="/postgres")), parts.path.strip("/")


def prepare_database(url: str, *, recreate: bool = False) -> bool:
    """Create the database if it is missing; refuse one that holds tables (unless `recreate` drops it first).
    True if this run created it.

    The suite writes thousands of rows and starts servers on it: it must never be a database somebody uses.
    """
    admin_url, name = _split(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    if row and row[0]:
        raise SystemExit(
            f"Refusing to use {name}: it is not empty ({row[0]} tables). "
            "Give --database-url a new or empty database, or pass --recreate to drop and recreate this one."
        )
    return False


def drop_database(url: str) -> None:
    admin_url, name = _split(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_environment(url: str, **extra: str) -> dict[str, str]:
    """Production-like settings for this process, gunicorn and the Celery worker alike (see .env.example)."""
    var_dir = Path(tempfile.mkdtemp(prefix="studyplan-bench-"))
    (var_dir / "static").mkdir()  # an empty STATIC_ROOT: whitenoise serves from the app folders without a warning
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # testserver: the in-process measurements use Django's test client.
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_VAR_DIR": str(var_dir),
        "DJANGO_STATIC_ROOT": str(var_dir / "static"),
        **extra,
    }
    os.environ.update(env)
    return {**os.environ}


def setup_django() -> None:
    """Configure Django in this process, migrate, and load the reference plan."""
    import django
    from django.core.management import call_command

    django.setup()
    quiet_request_log()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "multimodal_90_days", verbosity=0)


def quiet_request_log() -> None:
    """This process's log lines (one per in-process request) go to a file, not between the results.

    Still written, so an in-process page pays for its log line as it does in production."""
    import logging

    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setStream((var_dir() / "driver.log").open("a", encoding="utf-8"))


def var_dir() -> Path:
    return Path(os.environ["DJANGO_VAR_DIR"])
