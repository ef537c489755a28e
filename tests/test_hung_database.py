"""A database host that accepts connections but never answers: connecting gives up after the connect timeout,
statements carry a timeout, and /healthz reports the database down within its own budget."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from tests.deploy_env import PYTHON, ROOT, subprocess_env

# After this long the fake server hangs up on its own, so a client without any timeout does not hang the
# suite forever; it then sees "server closed the connection", not a timeout of its own.
GIVE_UP_SECONDS = 60


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port whose server accepts every connection and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    hang_up = threading.Timer(GIVE_UP_SECONDS, stop.set)
    hang_up.start()
    yield listener.getsockname()[1]
    hang_up.cancel()
    stop.set()
    thread.join()
    for sock in accepted:
        sock.close()
    listener.close()


# transaction=True: inside the usual per-test transaction the closed connection could not reconnect at all.
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_accepts_but_never_answers(
    client: Client, settings, postgres: None, silent_server: int, caplog
) -> None:
    settings.REDIS_URL = ""
    settings.HEALTHZ_DB_TIMEOUT = 1
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(silent_server))
    # Without a connect timeout, only the health check's own budget can end the wait.
    connection.settings_dict["OPTIONS"] = {k: v for k, v in real["OPTIONS"].items() if k != "connect_timeout"}
    try:
        with caplog.at_level("WARNING", logger="health"):
            response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(real)

    assert response.status_code == 503
    assert response.json() == {"database": "error"}
    [record] = [r for r in caplog.records if r.name == "health"]
    assert record.kv_fields["error"] == "CheckTimedOut"  # gave up by itself, not when the server hung up


@pytest.mark.django_db
def test_connecting_to_a_silent_database_gives_up_after_the_connect_timeout(postgres: None, silent_server: int) -> None:
    params = dict(connection.settings_dict)
    params.update(HOST="127.0.0.1", PORT=str(silent_server))
    params["OPTIONS"] = {**params["OPTIONS"], "connect_timeout": "1"}
    hung = DatabaseWrapper(params, alias="silent")
    try:
        with pytest.raises(OperationalError, match="timeout"):
            hung.ensure_connection()
    finally:
        hung.close()


PROBE = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps(settings.DATABASES["default"]["OPTIONS"]))
"""


def database_options(tmp_path: Path, **env: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://user@db.example.org:5432/studyplan",
    } | env
    result = subprocess.run(
        [PYTHON, "-c", PROBE], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    options: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return options


def test_commands_and_workers_get_a_connect_timeout_and_the_long_statement_timeout(tmp_path: Path) -> None:
    assert database_options(tmp_path) == {"connect_timeout": "5", "options": "-c statement_timeout=600000"}


def test_web_processes_get_the_short_statement_timeout(tmp_path: Path) -> None:
    options = database_options(tmp_path, DJANGO_SERVES_WEB="1")
    assert options["options"] == "-c statement_timeout=20000"


def test_the_timeouts_come_from_the_environment(tmp_path: Path) -> None:
    web = database_options(
        tmp_path, DJANGO_SERVES_WEB="1", DJANGO_DB_CONNECT_TIMEOUT="2", DJANGO_DB_STATEMENT_TIMEOUT="7"
    )
    task = database_options(tmp_path, DJANGO_DB_TASK_STATEMENT_TIMEOUT="0")
    assert web == {"connect_timeout": "2", "options": "-c statement_timeout=7000"}
    assert task["options"] == "-c statement_timeout=0"


def test_the_wsgi_application_marks_its_process_as_web() -> None:
    assert 'os.environ.setdefault("DJANGO_SERVES_WEB", "1")' in (ROOT / "config" / "wsgi.py").read_text()


@pytest.mark.django_db
def test_a_statement_over_the_timeout_is_cancelled(postgres: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(5)")
