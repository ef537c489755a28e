"""Mail configuration (Django 6.1 MAILERS) built from the EMAIL_* environment variables.

Each case loads the real settings in a fresh interpreter (settings are read once per process) and sends one
message through Django's default mailer, with Django's email deprecation warnings turned into errors.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.deploy_env import PYTHON, ROOT, subprocess_env
from tests.progress.reminder_helpers import SmtpServer

SEND = """
import warnings
from django.utils.deprecation import RemovedInDjango2028Warning
warnings.simplefilter("error", RemovedInDjango2028Warning)
import django
django.setup()
from django.conf import settings
from django.core.mail import EmailMessage
EmailMessage("Mailer check", "It arrived.", to=["alice@example.com"]).send()
print("BACKEND", settings.MAILERS["default"]["BACKEND"])
"""


def send(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PYTHON, "-c", SEND],
        cwd=ROOT,
        env=subprocess_env({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path), **env}),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_without_email_host_mail_is_written_under_var_mail(tmp_path: Path) -> None:
    result = send(tmp_path)
    assert "BACKEND django.core.mail.backends.filebased.EmailBackend" in result.stdout
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    assert "Subject: Mailer check" in files[0].read_text()


def test_email_backend_can_pick_the_console_instead(tmp_path: Path) -> None:
    result = send(tmp_path, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert "Subject: Mailer check" in result.stdout
    assert not (tmp_path / "mail").exists()


def test_with_email_host_mail_goes_over_smtp(tmp_path: Path, smtp: Callable[..., SmtpServer]) -> None:
    server = smtp()
    result = send(tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(server.port), EMAIL_TIMEOUT="5")
    assert "BACKEND django.core.mail.backends.smtp.EmailBackend" in result.stdout
    assert server.sink.wait_for(lambda: len(server.sink.messages) == 1)
    assert server.sink.messages[0]["Subject"] == "Mailer check"
    assert server.sink.messages[0]["To"] == "alice@example.com"
    assert not (tmp_path / "mail").exists()


def test_a_bad_email_port_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=subprocess_env(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DJANGO_VAR_DIR": str(tmp_path),
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": "smtp",
            }
        ),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "EMAIL_PORT" in result.stderr
