"""Measure how many reminders per minute one worker sends to a local SMTP server (aiosmtpd).

    uv run python scripts/bench_reminders.py --learners 2000             # the batch code in this process
    REDIS_URL=redis://127.0.0.1:6379/2 uv run python scripts/bench_reminders.py --learners 2000 --worker
                                                                         # a real `celery worker`, concurrency 1

It builds a throw-away database (SQLite under a temporary directory unless --database-url is given; it
must be an empty database), enrolls N learners who are all due now, runs the fan-out and times until every
reminder is recorded as sent. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class CountingSink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--worker", action="store_true", help="time a real celery worker (needs REDIS_URL)")
    args = parser.parse_args()

    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()

    tmp = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_VAR_DIR": str(tmp),
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "REMINDER_BATCH_SIZE": str(args.batch_size),
        "CELERY_QUEUE": f"bench-{os.getpid()}",
    }
    os.environ.update(env)
    if args.worker and not os.environ.get("REDIS_URL"):
        parser.error("--worker needs REDIS_URL")

    import django

    django.setup()
    from datetime import time as dtime

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from config.celery import app
    from progress.models import Enrollment, ReminderDelivery
    from progress.reminders.fanout import fan_out
    from progress.reminders.sending import send_batch
    from progress.schedule import ONE_DAY
    from progress.worker import start_worker_with_beat
    from tests.factories import make_plan

    call_command("migrate", verbosity=0)
    plan = make_plan(slug="bench", days=60)
    users = User.objects.bulk_create(
        User(username=f"b{i}", email=f"b{i}@example.com", password="!")  # noqa: S106 - unusable, never logs in
        for i in range(args.learners)
    )
    today = timezone.now().date()
    Enrollment.objects.bulk_create(
        Enrollment(
            user=u,
            plan=plan,
            start_date=today - 2 * ONE_DAY,
            time_zone="UTC",
            reminder_time=dtime(0, 0),
            study_weekdays=0b1111111,
            calendar_token=f"t{u.pk}",
        )
        for u in users
    )
    sent = ReminderDelivery.objects.filter(status=ReminderDelivery.Status.SENT)

    worker = None
    try:
        if args.worker:
            worker = start_worker_with_beat(beat=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(5)  # let it start before the clock does
            started = time.perf_counter()
            with app.connection_for_write() as conn:
                app.send_task("progress.tasks.fan_out_reminders", queue=env["CELERY_QUEUE"], connection=conn)
            while sent.count() < args.learners:
                if worker.poll() is not None:
                    raise SystemExit("the worker exited")
                time.sleep(0.2)
        else:
            started = time.perf_counter()
            fan = fan_out(enqueue=lambda ids: None)
            for batch in fan.batches:
                send_batch(batch)
        elapsed = time.perf_counter() - started
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()

    assert sent.count() == args.learners == sink.count, (sent.count(), sink.count)
    mode = "celery worker (concurrency 1)" if args.worker else "in-process batches"
    db = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(
        f"{args.learners} reminders in {elapsed:.1f}s = {args.learners / elapsed * 60:.0f} per minute "
        f"({mode}, {db}, batch size {args.batch_size})"
    )


if __name__ == "__main__":
    main()
