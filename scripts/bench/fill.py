"""The crowd of `scale`: learners over 30 time zones and four months of start dates, with their history."""

from __future__ import annotations

import time

from django.db import DatabaseError, connection

from progress.reminders import next_at
from scripts.bench import crowd

ZONES = (
    "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai", "Asia/Jakarta",
    "Asia/Hong_Kong", "Asia/Taipei", "Asia/Bangkok", "Australia/Sydney", "Australia/Perth", "Pacific/Auckland",
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Moscow", "Europe/Istanbul",
    "Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City", "America/Toronto", "UTC",
)  # fmt: skip
SPREAD = crowd.Crowd(
    prefix="crowd",
    # Start dates from 120 days ago to 14 days ahead; a fifth study every day, the rest Monday to Friday.
    start_date="CURRENT_DATE + 14 - mod(g * 7919, 135)",
    weekdays="CASE WHEN mod(g, 5) = 0 THEN 127 ELSE 31 END",
    time_zone="(ARRAY[" + ", ".join(f"'{z}'" for z in ZONES) + "])[1 + mod(g, 30)]",
    # Reminder times all over the day, independent of the zone.
    reminder_time="make_time(mod(g / 30 * 37, 1440) / 60, mod(g / 30 * 37, 60), 0)",
)
CHUNK = 10_000


def step(label: str, started: float, rows: int) -> float:
    now = time.monotonic()
    print(f"  {label:<34} {rows:>11,} rows {now - started:7.1f} s", flush=True)
    return now


def without_fk_checks() -> None:
    """The generated rows are consistent by construction: skip the per-row foreign-key triggers (superuser)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:  # not a superuser: slower, same rows
        print("  (foreign-key checks stay on: not a superuser)")


def fill(n: int, plan_id: int, completions_per_learner: int) -> tuple[int, int]:
    """n learners with ticks, notes, days off and a week of sent reminders; (first, last) user id."""
    print(f"Filling: {n:,} learners, about {n * completions_per_learner:,} task completions", flush=True)
    without_fk_checks()
    t = started = time.monotonic()
    chunks = [crowd.insert_learners(SPREAD, min(CHUNK, n - i), plan_id, offset=i) for i in range(0, n, CHUNK)]
    users = (chunks[0][0], chunks[-1][1])
    t = step("users, enrollments, profiles", t, n)
    probability = min(1.0, n * completions_per_learner / max(1, crowd.eligible_completions(users)))
    done = sum(crowd.insert_completions(c, probability) for c in chunks)
    t = step(f"task completions (p={probability:.2f})", t, done)
    t = step("day notes", t, sum(crowd.insert_notes(c, 0.1) for c in chunks))
    t = step("days off (one learner in ten)", t, crowd.insert_days_off(users, 10))
    t = step("sent reminders, the last 7 days", t, crowd.insert_reminder_history(users, 7))
    t = step("next reminder instants", t, next_at.refresh())
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        # VACUUM every table, as a running system's autovacuum would have: storing the instants rewrote every
        # enrollment (its index would still list the dead versions the first ticks read), and the fresh
        # millions of rows would otherwise draw autovacuum onto the CPU while the pages are being measured.
        cursor.execute("VACUUM ANALYZE")
    step("ANALYZE; the whole fill", started, 0)
    return users
