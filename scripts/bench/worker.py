"""A real Celery worker for the run, on Redis, with its mail going to the sink."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from scripts.bench.db import var_dir
from scripts.bench.serve import ROOT, stop


@dataclass(frozen=True)
class Worker:
    proc: subprocess.Popen[bytes]
    queue: str

    def send(self, task: str, *args: object) -> None:
        """Queue a task by its registered name, the way beat and the fan-out do."""
        from config.celery import app

        app.send_task(task, args=args, queue=self.queue)

    def alive(self) -> bool:
        return self.proc.poll() is None


def require_redis() -> None:
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("This needs a Celery broker: set REDIS_URL (a Redis database of its own, e.g. .../7).")


def wait_ready(name: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the Celery worker exited with {proc.returncode}; see {var_dir() / 'worker.log'}")
        if app.control.ping(destination=[name], timeout=1.0):
            return
    raise SystemExit(f"the Celery worker did not answer within {timeout:.0f}s")


@contextmanager
def celery_worker(env: dict[str, str], smtp_port: int, concurrency: int, batch_size: int = 0) -> Iterator[Worker]:
    require_redis()
    queue = f"bench-{os.getpid()}"
    name = f"bench-{os.getpid()}@{socket.gethostname()}"
    worker_env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "CELERY_QUEUE": queue}
    if batch_size:
        worker_env["REMINDER_BATCH_SIZE"] = str(batch_size)
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}", "-n", name]
    cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    with (var_dir() / "worker.log").open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd, cwd=ROOT, env=worker_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_ready(name, proc)
        yield Worker(proc, queue)
    finally:
        stop(proc)
