"""Who is due for a reminder now, and which kind: one query per run, whatever the number of learners.

Time zones cannot be converted portably inside SQLite and PostgreSQL alike, so the conversion is done in
Python once per *time zone*, not per learner. Only enrollments whose stored next reminder instant has
passed are looked at (a range scan of its index, progress.reminders.next_at); a DISTINCT over those lists
their zones; for each, Python computes the local date and wall-clock time now; then a
single query ORs one condition per zone:

    time_zone = Z AND reminder_time <= <local time in Z> AND start_date <= <local date in Z> + 1
    AND NOT EXISTS (delivery for this enrollment on <local date in Z>)

Comparing wall-clock times handles daylight saving by itself: on a spring-forward day a reminder at
02:30 (which does not exist) becomes due at 03:00, the next valid instant; on a fall-back day 01:30
happens twice, and the second time the delivery row for that date already exists, so it is sent once.
Just after local midnight the same query also takes reminder times from the last REMINDER_GRACE_SECONDS
of the previous date that no run caught (a 23:58 reminder with runs every 5 minutes), for that date.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from curriculum.models import Plan
from progress.compiled import among
from progress.models import Enrollment, ReminderDelivery, TaskCompletion
from progress.reminders import learners as learner_state
from progress.schedule import ONE_DAY, DayKind, Schedule, ScheduleInput, off_on, paused_on
from progress.structure import PlanStructure, structure_for
from progress.zones import load_zone

log = logging.getLogger(__name__)


class Kind(StrEnum):
    """What a reminder is about on a given local date."""

    STUDY = "study"  # a plan day falls on this date
    REVIEW = "review"  # a weekend / non-study date inside the plan: the week's unfinished tasks
    EVE = "eve"  # the day before the first study day: "tomorrow you begin"


@dataclass(frozen=True)
class ZoneNow:
    time_zone: str
    local_date: date
    local_time: time
    # Just after local midnight: reminders set late on the previous date (at or after `late_from`) that
    # no run caught before midnight are still due for `late_date`. Without this, a reminder at 23:58
    # with a fan-out every 5 minutes would never be sent.
    late_date: date | None = None
    late_from: time | None = None


def zones_now(zones: Iterable[str], now: datetime, grace: timedelta | None = None) -> list[ZoneNow]:
    """Local date and wall-clock time in each zone at the instant `now` (pure apart from the default grace,
    REMINDER_GRACE_SECONDS: how far back a run looks across local midnight)."""
    if grace is None:
        grace = timedelta(seconds=settings.REMINDER_GRACE_SECONDS)
    result = []
    for name in sorted(set(zones)):
        tz = load_zone(name)
        if tz is None:  # a zone that slipped past validation must not stop everyone else
            log.warning("unknown time zone %r in enrollments; skipped", name)
            continue
        local, earlier = now.astimezone(tz), (now - grace).astimezone(tz)
        late = earlier.date() != local.date()
        result.append(
            ZoneNow(
                name,
                local.date(),
                local.time().replace(tzinfo=None),
                earlier.date() if late else None,
                earlier.time().replace(tzinfo=None) if late else None,
            )
        )
    return result


def local_date_due(z: ZoneNow, reminder_time: time) -> date:
    """Which local date a due enrollment's reminder is for: today, or (just after midnight) yesterday."""
    if z.late_date is not None and z.late_from is not None and reminder_time > z.local_time:
        return z.late_date
    return z.local_date


def reminding(now: datetime) -> QuerySet[Enrollment]:
    """Enrollments with reminders on whose next reminder instant has passed at `now`, or is not known: a range
    scan of the partial index on next_reminder_at, whatever the number of learners (progress.reminders.next_at)."""
    return Enrollment.objects.filter(
        Q(next_reminder_at__lte=now) | Q(next_reminder_at__isnull=True), reminders_enabled=True
    )


def reminded_plans() -> QuerySet[Plan]:
    """The plans of enrollments with reminders on, newest first: those the fan-out and batches lay out."""
    return Plan.objects.filter(Exists(Enrollment.objects.filter(plan=OuterRef("pk"), reminders_enabled=True))).order_by(
        "-pk"
    )


def reminder_zones(now: datetime | None = None) -> list[str]:
    """Distinct time zones of the enrollments that may be due at `now`, one short row per zone."""
    return list(reminding(now or timezone.now()).order_by().values_list("time_zone", flat=True).distinct())


def _due_condition(zones: Sequence[ZoneNow]) -> Q:
    """One OR-ed condition per zone (two just after its local midnight): reminder time passed, no row yet.

    The zones are grouped by the local date they are on (two or three dates at any instant), and each group
    has one "no row for that date" test: PostgreSQL runs each such test as a hashed scan of that date's rows,
    so one per zone would read the same date's rows thirty times."""
    by_date: dict[date, Q] = {}
    for z in zones:
        by_date[z.local_date] = by_date.get(z.local_date, Q()) | Q(
            time_zone=z.time_zone, reminder_time__lte=z.local_time, start_date__lte=z.local_date + ONE_DAY
        )
        if z.late_date is not None:
            by_date[z.late_date] = by_date.get(z.late_date, Q()) | Q(
                time_zone=z.time_zone, reminder_time__gte=z.late_from, start_date__lte=z.late_date + ONE_DAY
            )
    condition = Q()
    for local_date, times in sorted(by_date.items()):
        delivered = ReminderDelivery.objects.filter(enrollment=OuterRef("pk"), local_date=local_date)
        condition |= Q(times, ~Exists(delivered))
    return condition


def due_enrollments(now: datetime, zones: Sequence[ZoneNow]) -> QuerySet[Enrollment]:
    """Enrollments whose reminder time has passed today in their own zone and that have no delivery row
    for that local date: ONE query (see the module docstring), with their plans."""
    if not zones:
        return Enrollment.objects.none()
    return reminding(now).filter(_due_condition(zones)).select_related("plan").order_by("pk")


def reminder_kind(
    schedule: Schedule,
    on: date,
    *,
    finished: bool,
    paused: bool = False,
    day_off: bool = False,
    review_days: bool = True,
) -> Kind | None:
    """Which reminder (if any) a learner gets on their local date `on` (pure). `review_days` is the learner's
    weekend-reminders switch: off, a review day gets no reminder."""
    if finished or paused or day_off or schedule.total_days == 0:
        return None
    day = schedule.day_on(on)
    if day.kind == DayKind.STUDY:
        return Kind.STUDY
    if day.kind == DayKind.REVIEW:
        return Kind.REVIEW if review_days else None
    if day.kind == DayKind.BEFORE_START:
        tomorrow = schedule.day_on(on + ONE_DAY)
        return Kind.EVE if tomorrow.kind == DayKind.STUDY and tomorrow.number == 1 else None
    return None  # AFTER_END: the plan is over


@dataclass(frozen=True)
class Due:
    enrollment: Enrollment
    local_date: date
    kind: Kind


@dataclass(frozen=True)
class Quiet:
    """A learner whose reminder time has passed but who gets nothing on `local_date`, and why."""

    enrollment: Enrollment
    local_date: date
    why: str


@dataclass
class Decisions:
    due: list[Due] = field(default_factory=list)
    quiet: list[Quiet] = field(default_factory=list)


def decide(now: datetime | None = None) -> Decisions:
    """Everybody whose reminder time has passed and who has no row for that local date: due, or quiet with the
    reason. A fixed number of queries: zones, the candidates, their schedule rows (reminders.learners, by chunks
    of CHUNK learners), and their tick counts, only for those the schedule alone would remind; each plan's
    size comes from its cached structure. Recording the quiet ones (fanout) keeps them out of the next run's
    candidates: a finished, paused or not yet started learner is looked at once a day, not at every beat."""
    now = now or timezone.now()
    zones = zones_now(reminder_zones(now), now)
    by_zone = {z.time_zone: z for z in zones}
    candidates = list(due_enrollments(now, zones))
    # Each plan's structure once, not once per learner: the candidates of one plan carry the same plan row.
    structures: dict[int, PlanStructure] = {}

    def structure(e: Enrollment) -> PlanStructure:
        found = structures.get(e.plan_id)
        if found is None:
            found = structures[e.plan_id] = structure_for(e.plan)
        return found

    inputs: dict[int, ScheduleInput] = {}
    for chunk in chunks(candidates):
        inputs.update(learner_state.schedule_inputs(chunk, lambda e: structure(e).last_day))
    decided: list[tuple[Enrollment, date, Kind | None, str]] = []
    for e in candidates:
        local_date = local_date_due(by_zone[e.time_zone], e.reminder_time)
        inp = inputs[e.pk]
        paused, day_off = paused_on(inp.changes, local_date), off_on(inp.days_off, local_date)
        schedule = Schedule.build(inp)
        kind = reminder_kind(
            schedule, local_date, finished=False, paused=paused, day_off=day_off, review_days=e.weekend_reminders
        )
        why = (
            "the plan is paused"
            if paused
            else "a day off"
            if day_off
            else "weekend reminders are off"
            if kind is None and reminder_kind(schedule, local_date, finished=False) == Kind.REVIEW
            else "outside the plan's days"
        )
        decided.append((e, local_date, kind, why))
    done = _ticks([e for e, _, kind, _ in decided if kind is not None])
    result = Decisions()
    for e, local_date, kind, why in decided:
        total = structure(e).total_tasks
        if kind is not None and total > 0 and done.get(e.pk, 0) >= total:
            kind, why = None, "the plan is finished"
        if kind is None:
            result.quiet.append(Quiet(e, local_date, f"no reminder on this date: {why}"))
        else:
            result.due.append(Due(e, local_date, kind))
    return result


def who_is_due(now: datetime | None = None) -> list[Due]:
    """Every reminder due at `now` (see decide)."""
    return decide(now).due


# Learners per IN (...) list: PostgreSQL takes at most 65,535 parameters in one statement.
CHUNK = 20_000


def chunks[T](items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _ticks(enrollments: Sequence[Enrollment]) -> dict[int, int]:
    """Enrollment id -> tasks ticked (one grouped query per CHUNK learners; none for nobody)."""
    counts: dict[int, int] = {}
    for chunk in chunks(enrollments):
        rows = (
            TaskCompletion.objects.filter(enrollment_id__in=among([e.pk for e in chunk]))
            .order_by()
            .values("enrollment_id")
            .annotate(n=Count("pk"))
            .values_list("enrollment_id", "n")
        )
        counts.update(rows)
    return counts
