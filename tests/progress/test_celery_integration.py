"""Real Redis, a real `celery -A config worker` subprocess and a real SMTP server (aiosmtpd).

The worker reads the same PostgreSQL test database (DATABASE_URL from this connection's settings), so these
tests commit their rows (transaction=True). Each test uses its own queue name, so nothing else on the
Redis database can take its messages. Every subprocess is killed in `finally`; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection

from config.celery import app as celery_app
from progress.models import Enrollment, ReminderDelivery
from progress.schedule import ONE_DAY
from progress.worker import start_worker_with_beat
from tests.conftest import need
from tests.factories import make_plan
from tests.progress.reminder_helpers import Sink, SmtpServer, enroll, learners

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = ReminderDelivery.Status
FAN_OUT = "progress.tasks.fan_out_reminders"
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def reminders_redis() -> Iterator[str]:
    """Redis on this suite's own database number (REMINDERS_TEST_REDIS_DB, default 1), flushed around use."""
    import redis

    base = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    url = urlunsplit(base._replace(path=f"/{os.environ.get('REMINDERS_TEST_REDIS_DB', '1')}"))
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        need(f"Redis does not answer at {url}: {exc}")
    client.flushdb()
    yield url
    client.flushdb()


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


class Workers:
    """Starts workers with the test's environment; kills them all at the end."""

    def __init__(self, tmp_path: Path, redis_url: str, smtp_port: int) -> None:
        self.tmp_path = tmp_path
        self.queue = f"reminders-test-{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url
        self.env = {
            "DATABASE_URL": database_url(),
            "DJANGO_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": self.queue,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_VAR_DIR": str(tmp_path / "var"),
            "SITE_URL": "https://lms.example.org",
            # Short delays so retries and recovery happen within the test; the visibility timeout stays
            # longer than all of them, as settings.py insists.
            "REMINDER_RETRY_BASE_MS": "100",
            "REMINDER_STALE_SECONDS": "2",
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "REMINDER_BATCH_SIZE": "50",
        }
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *, beat: bool = False, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker{len(self.procs)}.log").open("wb")
        proc = start_worker_with_beat({**self.env, **env}, beat=beat, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool children (its own process group): nothing gets to clean up."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def enqueue_fan_out(self) -> None:
        """Publish the fan-out exactly as beat does: by task name, to the worker's queue, on Redis."""
        with celery_app.connection_for_write(self.redis_url) as conn:
            celery_app.send_task(FAN_OUT, queue=self.queue, connection=conn)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp_path.glob("worker*.log")))

    def stop_all(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(proc)


@pytest.fixture
def server() -> Iterator[Callable[..., SmtpServer]]:
    started: list[SmtpServer] = []

    def start(codes: list[str] | None = None, delay: float = 0.0) -> SmtpServer:
        s = SmtpServer(Sink(codes, delay)).__enter__()
        started.append(s)
        return s

    yield start
    for s in started:
        s.__exit__()


@pytest.fixture
def workers(postgres: None, reminders_redis: str, tmp_path: Path) -> Iterator[Callable[[SmtpServer], Workers]]:
    made: list[Workers] = []
    celery_app.conf.task_always_eager = False  # tasks go to the real workers (conftest runs them at once otherwise)

    def make(smtp: SmtpServer) -> Workers:
        w = Workers(tmp_path, reminders_redis, smtp.port)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop_all()


def wait_until(predicate: Callable[[], bool], what: str, w: Workers, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n--- worker logs ---\n{w.logs()}")


def daytime_zone() -> str:
    """A zone where it is neither close to local midnight nor before the 00:00 reminder time, so the
    learner's local date cannot change while the test runs."""
    now = datetime.now(ZoneInfo("UTC"))
    for name in ("UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"):
        if 2 <= now.astimezone(ZoneInfo(name)).hour <= 21:
            return name
    raise AssertionError("unreachable: one of the zones is in daytime")


def due_learners(make_user: Callable[..., User], n: int) -> list[Enrollment]:
    """`n` learners due now: studying every weekday, day 3 of 10 today, reminder time 00:00 local."""
    zone = daytime_zone()
    today = datetime.now(ZoneInfo(zone)).date()
    plan = make_plan(slug=f"p{uuid.uuid4().hex[:6]}", days=10)
    enrollments = [enroll(u, plan, start=today - 2 * ONE_DAY, tz=zone, at=dtime(0, 0)) for u in learners(make_user, n)]
    Enrollment.objects.update(study_weekdays=0b1111111)
    return enrollments


def statuses() -> dict[int, str]:
    return dict(ReminderDelivery.objects.values_list("enrollment_id", "status"))


def test_beat_enqueues_the_fan_out_and_the_worker_sends_once(
    make_user: Callable[..., User], server: Callable[..., SmtpServer], workers: Callable[[SmtpServer], Workers]
) -> None:
    smtp = server()
    w = workers(smtp)
    enrollments = due_learners(make_user, 3)
    w.start(beat=True, REMINDER_FANOUT_SECONDS="1")
    wait_until(lambda: len(smtp.sink.messages) >= 3, "three reminders", w)
    wait_until(lambda: set(statuses().values()) == {Status.SENT} and len(statuses()) == 3, "rows marked sent", w)
    time.sleep(3)  # beat keeps firing every second: nobody may get a second email today
    for e in enrollments:
        received = smtp.sink.to(e.user.email)
        assert len(received) == 1
        assert received[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert received[0]["List-Unsubscribe"].startswith("<https://lms.example.org/unsubscribe/")
        assert received[0].get_content_type() == "multipart/alternative"
        assert received[0]["Subject"].startswith("第3天 · ")
    assert len(smtp.sink.messages) == 3
    assert all(b"\nList-Unsubscribe: <https://lms.example.org/unsubscribe/" in raw for raw in smtp.sink.raw)
    assert list((w.tmp_path / "var" / "celery").glob("beat-schedule*"))  # beat kept its schedule under var/


def test_a_worker_killed_mid_batch_leaves_nobody_without_and_nobody_sent_twice(
    make_user: Callable[..., User], server: Callable[..., SmtpServer], workers: Callable[[SmtpServer], Workers]
) -> None:
    smtp = server(delay=0.7)  # slow server: the batch of 6 takes several seconds
    w = workers(smtp)
    enrollments = due_learners(make_user, 6)
    first = w.start()
    w.enqueue_fan_out()
    wait_until(lambda: len(smtp.sink.messages) >= 2, "the batch to be under way", w)
    w.kill(first)
    sent_before_kill = {pk for pk, status in statuses().items() if status == Status.SENT}
    assert 1 <= len(sent_before_kill) < 6  # killed mid-batch, after some sends completed

    w.start()  # a restarted worker; Redis hands it the unacknowledged batch after the visibility timeout
    wait_until(lambda: len(statuses()) == 6 and set(statuses().values()) == {Status.SENT}, "every row sent", w)

    for e in enrollments:
        got = len(smtp.sink.to(e.user.email))
        assert got >= 1, f"{e.user} got no reminder"
        if e.pk in sent_before_kill:
            assert got == 1, f"{e.user} got a second reminder although the first had been recorded"
    # At most the one message in flight at the kill can arrive twice (the SMTP window; see progress.reminders).
    assert len(smtp.sink.messages) <= 7


def test_451_twice_then_250_gives_one_delivery(
    make_user: Callable[..., User], server: Callable[..., SmtpServer], workers: Callable[[SmtpServer], Workers]
) -> None:
    smtp = server(codes=["451 4.3.0 mailbox busy", "451 4.3.0 mailbox busy"])
    w = workers(smtp)
    [e] = due_learners(make_user, 1)
    w.start()
    w.enqueue_fan_out()
    wait_until(lambda: statuses().get(e.pk) == Status.SENT, "the third attempt to succeed", w)
    row = ReminderDelivery.objects.get(enrollment=e)
    assert row.attempts == 3
    assert row.error == ""
    assert smtp.sink.data_commands == 3
    assert len(smtp.sink.to(e.user.email)) == 1


def test_550_gives_one_attempt_and_a_failed_record(
    make_user: Callable[..., User], server: Callable[..., SmtpServer], workers: Callable[[SmtpServer], Workers]
) -> None:
    smtp = server(codes=["550 5.1.1 mailbox unavailable"])
    w = workers(smtp)
    [e] = due_learners(make_user, 1)
    w.start()
    w.enqueue_fan_out()
    wait_until(lambda: statuses().get(e.pk) == Status.FAILED, "the failure to be recorded", w)
    time.sleep(1)  # retries (100 ms base) would have happened by now
    row = ReminderDelivery.objects.get(enrollment=e)
    assert row.attempts == 1
    assert "550" in row.error and "mailbox unavailable" in row.error
    assert smtp.sink.data_commands == 1
    assert smtp.sink.messages == []
