"""Structured logs: one key=value line per request, a helper for other events, all on standard output."""

from __future__ import annotations

import logging
import subprocess

import pytest
from django.test import Client

from config.logging_utils import KeyValueFormatter, format_fields, log_event
from tests.deploy_env import PYTHON, ROOT, subprocess_env


def request_records(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [getattr(r, "kv_fields") for r in caplog.records if r.name == "request"]  # noqa: B009


@pytest.mark.django_db
def test_it_logs_one_line_per_request_with_status_and_duration(client: Client, caplog, settings) -> None:
    settings.REDIS_URL = ""
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/healthz")
    [fields] = request_records(caplog)
    assert fields["event"] == "request"
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/healthz", 200)
    assert isinstance(fields["duration_ms"], float)
    assert fields["duration_ms"] >= 0
    assert fields["user"] is None


@pytest.mark.django_db
def test_it_logs_failed_requests_with_their_status(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/no-such-page/")
    [fields] = request_records(caplog)
    assert fields["status"] == 404


@pytest.mark.django_db
def test_it_logs_the_signed_in_user_by_id_only(client: Client, alice, caplog) -> None:
    client.force_login(alice)
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/")
    [fields] = request_records(caplog)
    assert fields["user"] == alice.pk
    assert "alice" not in format_fields(fields)


@pytest.mark.django_db
def test_secret_tokens_in_the_path_and_query_string_stay_out_of_the_log(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/accounts/reset/MQ/set-password-token-123/?next=secret-next")
    [fields] = request_records(caplog)
    assert fields["path"] == "/accounts/reset/***/***/"


def test_values_are_quoted_only_when_needed() -> None:
    line = format_fields({"event": "x", "n": 3, "ms": 1.25, "ok": True, "none": None, "text": 'a "b"\nc'})
    assert line == 'event=x n=3 ms=1.2 ok=true none=- text="a \\"b\\"\\nc"'


def test_the_formatter_puts_time_level_and_logger_first() -> None:
    logger = logging.getLogger("progress.tasks")
    record = logger.makeRecord("progress.tasks", logging.INFO, __file__, 1, "reminder_sent", (), None)
    record.kv_fields = {"event": "reminder_sent", "enrollment": 7}
    line = KeyValueFormatter().format(record)
    assert line.startswith("ts=")
    assert line.endswith(" level=INFO logger=progress.tasks event=reminder_sent enrollment=7")
    plain = logger.makeRecord("x", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    assert KeyValueFormatter().format(plain).endswith('level=WARNING logger=x msg="hello world"')


def test_log_event_lines_go_to_standard_output(tmp_path) -> None:
    script = (
        "import django, logging; django.setup(); from config.logging_utils import log_event; "
        "log_event(logging.getLogger('progress.tasks'), 'reminder_sent', enrollment=7, local_date='2026-03-02')"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path), "DJANGO_SECRET_KEY": "k" * 60}
    result = subprocess.run(
        [PYTHON, "-W", "ignore", "-c", script], cwd=ROOT, env=subprocess_env(env), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.strip().splitlines()
    assert "logger=progress.tasks event=reminder_sent enrollment=7 local_date=2026-03-02" in line
    assert "reminder_sent" not in result.stderr


def test_log_event_respects_the_level(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="progress.tasks"):
        log_event(logging.getLogger("progress.tasks"), "reminder_failed", logging.WARNING, enrollment=1)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.kv_fields == {"event": "reminder_failed", "enrollment": 1}


@pytest.mark.django_db
def test_logging_never_loads_the_user_itself(client: Client, alice, settings, django_assert_num_queries) -> None:
    settings.REDIS_URL = ""
    client.force_login(alice)
    # The health view never looks at the user: the log line must not cost a user query. The one session
    # read is the learner-language middleware's; the other query is the health check's own.
    with django_assert_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200


@pytest.mark.django_db
def test_responses_made_by_other_middleware_are_logged_too(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/healthz", headers={"host": "evil.example.com"})
    [fields] = request_records(caplog)
    assert fields["status"] == 400


def test_log_event_fields_survive_any_formatter(caplog) -> None:
    # Celery's or pytest's formatters print only the message: it must carry the fields itself.
    with caplog.at_level(logging.INFO, logger="progress.tasks"):
        log_event(logging.getLogger("progress.tasks"), "reminder_sent", enrollment=7)
    assert caplog.records[0].getMessage() == "event=reminder_sent enrollment=7"


def test_the_celery_worker_logs_through_the_project_format() -> None:
    from django.conf import settings

    from config import celery_app

    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
    assert celery_app.conf.worker_hijack_root_logger is False
