"""`scale`: a crowd of learners in the database, then the page times, one beat tick, the sending rate, sizes.

The beat tick is measured in steady state: a first fan-out, as of five minutes ago, claims everybody whose
reminder time had passed by then (the deliveries are then marked sent); the timed fan-out, now, finds the
learners whose time came in the last five minutes among all of them, as the beat does every period. The
sending rate is a real Celery worker's on the second tick's learners plus `--send` of the first tick's.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curriculum.models import Plan
from progress.models import ReminderDelivery
from progress.sessions import SESSION_AND_USER
from scripts.bench import fill, inproc, pages
from scripts.bench.learner import PLAN_SLUG, make_learner
from scripts.bench.sink import Sink
from scripts.bench.worker import celery_worker

SEND_BATCH = "progress.tasks.send_reminder_batch"
Status = ReminderDelivery.Status


def fan_out_function() -> Callable[..., Any]:
    """The fan-out the beat task calls: claims rows for whoever is due, hands the batches to `enqueue`.

    Looked up through the task's module, so it is whatever function the task uses wherever it lives."""
    tasks = importlib.import_module("progress.tasks")
    found = getattr(tasks, "fan_out", None) or getattr(getattr(tasks, "reminders", None), "fan_out", None)
    if not callable(found):
        raise SystemExit("progress.tasks no longer names the fan-out function (fan_out); update scripts/bench/scale.py")
    return found


def tick(label: str, now: Any) -> tuple[list[list[int]], CaptureQueriesContext]:
    batches: list[list[int]] = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        fan = fan_out_function()(enqueue=batches.append, now=now)
        elapsed = time.perf_counter() - started
    print(
        f"  {label:<44} {elapsed:7.2f} s  {fan.claimed:>7,} claimed, {len(queries)} queries, "
        f"slowest {max((float(q['time']) for q in queries), default=0) * 1000:.0f} ms"
    )
    return batches, queries


def fan_out_ticks(keep: int) -> tuple[list[list[int]], CaptureQueriesContext]:
    """The two ticks; returns the batches left to send (`keep` learners of the first tick, then the second's)."""
    print("\nReminder fan-out (one beat tick, the function the beat task calls, enqueue collecting ids):")
    first, _ = tick("first tick of the day (as of 5 minutes ago)", timezone.now() - timedelta(minutes=5))
    kept: list[list[int]] = []
    for batch in first:
        if sum(map(len, kept)) >= keep:
            break
        kept.append(batch)
    kept_ids = {i for b in kept for i in b}
    others = [i for b in first for i in b if i not in kept_ids]
    ReminderDelivery.objects.filter(pk__in=others).update(status=Status.SENT, sent_at=timezone.now())
    steady, queries = tick("steady tick (now)", timezone.now())
    return kept + steady, queries


def sending_rate(args: argparse.Namespace, env: dict[str, str], batches: list[list[int]]) -> None:
    ids = [i for b in batches for i in b]
    if not ids:
        print("  nobody is due: no sending rate")
        return
    open_rows = ReminderDelivery.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.SENDING])
    sink = Sink()
    try:
        with celery_worker(env, sink.port, args.concurrency) as worker:
            started = time.monotonic()
            for batch in batches:
                worker.send(SEND_BATCH, batch)
            while open_rows.exists():
                if not worker.alive():
                    raise SystemExit("the Celery worker exited")
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        sent = sink.stats()["count"]
    finally:
        sink.close()
    print(
        f"  sending {len(ids)} of those (Celery worker, concurrency {args.concurrency}): "
        f"{sent} sent in {elapsed:.1f} s = {sent / elapsed * 60:.0f} per minute"
    )


def sizes() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid), pg_indexes_size(c.oid),"
            " pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 5 DESC LIMIT 10"
        )
        rows = cursor.fetchall()
    mb = 1024 * 1024
    print("\nLargest tables (pg_total_relation_size = table + indexes + TOAST):")
    print(f"  {'table':<28} {'rows':>12} {'table MB':>9} {'index MB':>9} {'total MB':>9}")
    for name, n, table, index, total in rows:
        print(f"  {name:<28} {n:>12,} {table / mb:9.1f} {index / mb:9.1f} {total / mb:9.1f}")


def explain(queries: CaptureQueriesContext, label: str, top: int = 2) -> None:
    selects = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    for q in sorted(selects, key=lambda q: -float(q["time"]))[:top]:
        print(f"\nEXPLAIN ANALYZE, {label} ({float(q['time']) * 1000:.0f} ms when measured):\n{q['sql'][:600]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join("  " + row[0][:200] for row in cursor.fetchall()))


def explain_statement(label: str, sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        print(f"\nEXPLAIN ANALYZE, {label}:\n{sql[:600]}")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join("  " + row[0][:200] for row in cursor.fetchall()))


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    n = 2000 if args.quick else args.learners
    plan = Plan.objects.get(slug=PLAN_SLUG)
    fill.fill(n, plan.pk, args.completions_per_learner)
    sizes()
    learner = make_learner()
    print(
        f"\nOne learner in that crowd (plan day {learner.day_number}; load average {os.getloadavg()[0]:.2f}):", end=""
    )
    targets = pages.targets(learner)
    inproc.report(targets, 20 if args.quick else 200)
    batches, tick_queries = fan_out_ticks(keep=200 if args.quick else args.send)
    if env.get("REDIS_URL"):
        sending_rate(args, env, batches)
    else:
        print("  (no REDIS_URL: the sending rate needs a Celery worker)")
    if args.explain:
        explain(tick_queries, "steady fan-out tick")
        # A warm page's one query (Django logs a prepared query with its values apart, not as SQL to run again).
        sql, params = SESSION_AND_USER.statement(learner.session_cookie)
        explain_statement("the session with the learner, every page's one query", sql, params)
