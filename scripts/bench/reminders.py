"""`reminders`: the project's Celery worker against raw smtplib, on the same number of learners due now.

The ceiling is what plain smtplib pushes through one connection to the same sink, with pre-built messages
of the size of a real reminder (the first learner's, built as the worker builds it), measured before and
after each worker round. The worker is started as in production, a new process each round, and the fan-out is
queued by its task name, as beat does; the clock runs from queuing it to the last message. Between rounds
everybody is made due again (no delivery rows, the instants recomputed).
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import time
from datetime import UTC, date

from django.conf import settings
from django.utils import timezone

from curriculum.models import Plan
from progress.models import Enrollment, ReminderDelivery
from progress.reminders import next_at
from progress.reminders.message import build_message
from progress.reminders.wire import wire_bytes
from scripts.bench import crowd
from scripts.bench.learner import PLAN_SLUG
from scripts.bench.sink import Sink
from scripts.bench.worker import Worker, celery_worker, require_redis

FAN_OUT = "progress.tasks.fan_out_reminders"
# Everyone due now: started two weeks ago, studies every day, reminded at midnight UTC.
DUE_NOW = crowd.Crowd(
    prefix="due",
    start_date="CURRENT_DATE - 14",
    weekdays="127",
    time_zone="'UTC'",
    reminder_time="time '00:00'",
)


def wait_for(sink: Sink, n: int, worker: Worker | None = None, patience: float = 60) -> dict[str, float]:
    """Until the sink has n messages; fails when nothing arrives for `patience` seconds."""
    last_count, last_change = -1, time.monotonic()
    while True:
        stats = sink.stats()
        if stats["count"] >= n:
            return stats
        if stats["count"] != last_count:
            last_count, last_change = stats["count"], time.monotonic()
        elif time.monotonic() - last_change > patience:
            raise SystemExit(f"stuck at {last_count} of {n} messages for {patience:.0f}s")
        if worker is not None and not worker.alive():
            raise SystemExit("the Celery worker exited")
        time.sleep(0.2)


def check_each_once(sink: Sink, expected: set[str]) -> None:
    received = sink.ask("recipients")
    wrong = {r: c for r, c in received.items() if c != 1 or r not in expected}
    missing = expected - received.keys()
    if wrong or missing:
        raise SystemExit(f"not exactly one message each: {len(missing)} missing, {len(wrong)} wrong, e.g. {wrong}")


def worker_run(args: argparse.Namespace, env: dict[str, str], sink: Sink, emails: set[str]) -> tuple[float, bytes]:
    with celery_worker(env, sink.port, args.concurrency, args.batch_size) as worker:
        started = time.monotonic()
        worker.send(FAN_OUT)
        stats = wait_for(sink, len(emails), worker)
    check_each_once(sink, emails)
    sent = ReminderDelivery.objects.filter(status=ReminderDelivery.Status.SENT).count()
    if sent != len(emails):
        raise SystemExit(f"{sent} deliveries recorded as sent for {len(emails)} learners")
    return stats["last_at"] - started, sink.sample()


def raw_run(sink: Sink, sample: bytes, n: int) -> float:
    messages = [(f"raw{i}@example.com", sample) for i in range(n)]
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for rcpt, message in messages:
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [rcpt], message)
    elapsed = time.monotonic() - started
    check_each_once(sink, {r for r, _ in messages})
    return elapsed


def first_reminder(local_date: date) -> bytes:
    """The first learner's reminder as the worker sends it (the ceiling's message), built here."""
    enrollment = Enrollment.objects.select_related("plan", "user__learner_profile").order_by("pk").first()
    assert enrollment is not None
    raw = wire_bytes(build_message(enrollment, local_date))
    assert raw is not None
    return raw


def again() -> None:
    """Everybody due again, as before the first round: no delivery rows, the instants recomputed."""
    ReminderDelivery.objects.all().delete()
    next_at.refresh()


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    require_redis()
    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    n = args.learners
    plan = Plan.objects.get(slug=PLAN_SLUG)
    users = crowd.insert_learners(DUE_NOW, n, plan.pk)
    crowd.insert_completions(users, 0.5)
    emails = set(Enrollment.objects.values_list("user__email", flat=True))
    sample = first_reminder(timezone.now().astimezone(UTC).date())  # DUE_NOW: reminded at midnight UTC
    sink = Sink()
    rounds: list[tuple[float, float, float]] = []  # (raw rate before and after, worker rate), per second
    try:
        # The ceiling before and after each worker, as the pages' bare view: the host's speed drifts, and one
        # round's ratio moved by ten points between runs.
        raw = [n / raw_run(sink, sample, n)]
        for i in range(args.rounds):
            sink.ask("reset")
            if i:
                again()
            worker_s, sent = worker_run(args, env, sink, emails)
            sink.ask("reset")
            raw.append(n / raw_run(sink, sample, n))
            rounds.append((raw[-2], raw[-1], n / worker_s))
    finally:
        sink.close()
    batch = args.batch_size or settings.REMINDER_BATCH_SIZE
    print(f"\nReminders: {n} learners due now, {len(sent) / 1024:.1f} kB per message, batch size {batch}")
    print(f"  Celery worker, concurrency {args.concurrency}, against raw smtplib over one connection, per minute:")
    ratios = []
    for i, (before, after, worker) in enumerate(rounds, start=1):
        ratios.append(worker / statistics.mean([before, after]))
        print(
            f"  round {i}: worker {worker * 60:8.0f} ({n} in {n / worker:.1f} s, from queuing the fan-out; each "
            f"learner exactly one message), raw {before * 60:.0f} before and {after * 60:.0f} after: {ratios[-1]:.1%}"
        )
    spread = f" ({min(ratios):.1%} to {max(ratios):.1%})" if len(ratios) > 1 else ""
    print(f"  ratio worker / raw: {statistics.median(ratios):.1%}{spread}, the median of {len(ratios)}")
