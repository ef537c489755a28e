"""Start a real Celery worker with an embedded beat, for `manage.py quickstart` and local use.

`manage.py quickstart` calls `start_worker_with_beat()` and terminates the process on exit. With
REDIS_URL set the worker uses Redis; otherwise settings pick kombu's filesystem transport under var/, so
no service is needed. Email then lands in var/mail/ unless EMAIL_HOST is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from typing import IO

from django.conf import settings


def worker_command(*, beat: bool = True, concurrency: int = 1, loglevel: str = "INFO") -> list[str]:
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--loglevel={loglevel}"]
    cmd += [f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"]
    if beat:
        cmd += ["--beat"]  # its schedule file is CELERY_BEAT_SCHEDULE_FILENAME, under the worker's var/
    return cmd


def start_worker_with_beat(
    env: Mapping[str, str] | None = None,
    *,
    beat: bool = True,
    concurrency: int = 1,
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """Start `celery -A config worker --beat` in the project directory with this process's environment
    (plus `env`). Returns the Popen; the caller stops it with .terminate() and .wait()."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})}
    return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        worker_command(beat=beat, concurrency=concurrency),
        cwd=settings.BASE_DIR,
        env=full_env,
        stdout=stdout,
        stderr=stderr,
        # Its own process group, so the caller can stop the worker and its pool children together.
        start_new_session=True,
    )
