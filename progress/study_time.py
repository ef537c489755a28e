"""Logging study time and the timer, safe under double clicks and two tabs (the limits are checked in SQL).

The limits and the arithmetic are in `progress.study_hours` (pure); what a page shows is read with the
learner's state (`progress.state`), so a page that shows study time costs no query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from progress import state as learner_state
from progress.models import DayNote, Enrollment, StudyTime, StudyTimer
from progress.study_hours import MAX_DAY_MINUTES, StudyState, Timer, WeekTime, elapsed_minutes, timer_minutes, weekly

if TYPE_CHECKING:  # annotations only: progress.notes imports this module, and structure imports notes
    from progress.services import Overview
    from progress.structure import PlanStructure


def study_state(enrollment: Enrollment) -> StudyState:
    """The learner's minutes per plan day and running timer, as `progress.state.load` read them (else read now)."""
    cached = getattr(enrollment, learner_state.STUDY_ATTR, None)
    if cached is None:
        learner_state.load(enrollment)
        cached = getattr(enrollment, learner_state.STUDY_ATTR)
    return cached


def minutes_by_number(structure: PlanStructure, state: StudyState) -> dict[int, int]:
    """Plan day number -> minutes logged (days of this plan only)."""
    return {day.number: state.minutes[day.pk] for day in structure.days.values() if day.pk in state.minutes}


def add_minutes(enrollment: Enrollment, day_id: int, minutes: int) -> bool:
    """Add `minutes` to the day's total; False (and nothing changed) if the total would pass a whole day.

    An UPDATE that checks the limit itself, so two quick clicks both count and neither passes the limit.
    """
    rows = StudyTime.objects.filter(enrollment=enrollment, day_id=day_id)
    if rows.filter(minutes__lte=MAX_DAY_MINUTES - minutes).update(minutes=F("minutes") + minutes):
        return True
    if rows.exists():
        return False  # the row is there, so the update refused it: too much
    try:
        with transaction.atomic():
            StudyTime.objects.create(enrollment=enrollment, day_id=day_id, minutes=minutes)
    except IntegrityError:  # a second tab created the row in between: add to it after all
        return bool(rows.filter(minutes__lte=MAX_DAY_MINUTES - minutes).update(minutes=F("minutes") + minutes))
    return True


def set_minutes(enrollment: Enrollment, day_id: int, minutes: int) -> None:
    """Correct the day's total to `minutes` (0 removes it)."""
    if minutes == 0:
        StudyTime.objects.filter(enrollment=enrollment, day_id=day_id).delete()
    else:
        StudyTime.objects.update_or_create(enrollment=enrollment, day_id=day_id, defaults={"minutes": minutes})


def start_timer(enrollment: Enrollment, day_id: int, now: datetime) -> Timer | None:
    """Start the learner's timer for this day; None when one is already running (it is left as it is)."""
    timer, created = StudyTimer.objects.get_or_create(
        user_id=enrollment.user_id, defaults={"enrollment": enrollment, "day_id": day_id, "started_at": now}
    )
    return Timer(timer.enrollment_id, timer.day_id, timer.started_at) if created else None


@dataclass(frozen=True)
class Stopped:
    enrollment_id: int
    day_id: int
    elapsed: int  # minutes the timer ran
    added: int  # minutes added to the day (capped: see study_hours.timer_minutes)


def stop_timer(user: User, now: datetime) -> Stopped | None:
    """Stop the learner's timer and add its minutes to the day it was started for; None if none was running.

    The timer row is deleted first, under a transaction: of two stops at once, only the one that deleted it
    adds the time.
    """
    with transaction.atomic():
        timer = StudyTimer.objects.select_for_update().filter(user=user).first()
        if timer is None or not StudyTimer.objects.filter(pk=timer.pk).delete()[0]:
            return None
        row = StudyTime.objects.select_for_update().filter(enrollment_id=timer.enrollment_id, day_id=timer.day_id)
        logged = row.values_list("minutes", flat=True).first() or 0
        elapsed = elapsed_minutes(timer.started_at, now)
        added = timer_minutes(elapsed, logged)
        if added:
            StudyTime.objects.update_or_create(
                enrollment_id=timer.enrollment_id, day_id=timer.day_id, defaults={"minutes": logged + added}
            )
    return Stopped(timer.enrollment_id, timer.day_id, elapsed, added)


def plan_hours(enrollment: Enrollment) -> tuple[int, int]:
    plan = enrollment.plan
    return plan.study_hours_min, plan.study_hours_max


def study_weeks(ov: Overview) -> list[WeekTime]:
    """The plan weeks begun by the learner's today (or with time logged), newest first, against the plan."""
    minutes = minutes_by_number(ov.structure, study_state(ov.enrollment))
    weeks = [(w.number, w.title, tuple(w.day_numbers)) for phase in ov.structure.phases for w in phase.weeks]
    shown = [
        number
        for number, _title, days in weeks
        if any(minutes.get(n) for n in days) or any((d := ov.date_of(n)) and d <= ov.today for n in days)
    ]
    return weekly(weeks, minutes, plan_hours(ov.enrollment), shown)[::-1]


def format_duration(minutes: int) -> str:
    """ "1 h 30 min", "45 min", "2 h", in the active language."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}


@dataclass(frozen=True)
class DayTime:
    """What a day page shows about study time: the day's minutes and where the learner's timer runs."""

    number: int
    minutes: int
    timer: Timer | None
    timer_number: int | None  # the plan day the timer runs for, when it runs for this plan

    @property
    def timer_here(self) -> bool:
        return self.timer is not None and self.timer_number == self.number


def day_time(enrollment: Enrollment, structure: PlanStructure, number: int, state: StudyState) -> DayTime:
    timer, timer_number = state.timer, None
    if timer is not None and timer.enrollment_id == enrollment.pk:
        timer_number = next((d.number for d in structure.days.values() if d.pk == timer.day_id), None)
    minutes = state.minutes.get(structure.days[number].pk, 0)
    return DayTime(number, minutes, timer, timer_number)


def notes_and_minutes(enrollment: Enrollment) -> tuple[dict[int, str], dict[int, int]]:
    """Plan day number -> the learner's day note, and -> the minutes logged: one query for the exports."""
    notes = (
        DayNote.objects.filter(enrollment=enrollment)
        .exclude(body="")
        .values_list("day__number", "body", Cast(Value(None), IntegerField()))
    )
    times = StudyTime.objects.filter(enrollment=enrollment).values_list(
        "day__number", Cast(Value(None), TextField()), "minutes"
    )
    by_number: dict[int, str] = {}
    minutes: dict[int, int] = {}
    for number, body, logged in notes.order_by().union(times.order_by(), all=True):
        if body is not None:
            by_number[number] = body
        else:
            minutes[number] = logged
    return by_number, minutes
