"""What two learner pages share: the contexts they build (a day, a month, the plan's phases, days off).

Views live in `progress.views`, one module per page group, and build on these instead of on each other.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from curriculum.models import Day
from progress import rescheduling
from progress.forms.schedule import DayOffForm
from progress.models import DayNote, Enrollment
from progress.schedule import DayKind
from progress.services import Overview, learner_days, overview, ticked_ids

# A study plan lives in the present; bounding the years keeps date arithmetic far from date.min/max.
YEARS = range(1900, 3000)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The form's (or query string's) `next`, if it stays on this site; else `fallback`.

    Checked, because an unchecked `next` turns any of our forms into an open redirect.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- one plan day -----------------------------------------------------------------------------------------


def plan_day(enrollment: Enrollment, number: int, *, sessions: bool = False) -> Day:
    """A day of the learner's own plan, or 404; with `sessions`, its sessions and ticked tasks too."""
    days = learner_days(enrollment) if sessions else Day.objects.filter(plan_id=enrollment.plan_id)
    return get_object_or_404(days, number=number)


def day_context(enrollment: Enrollment, today: date, day: Day) -> dict[str, object]:
    """What `progress/day.html` needs (the day page, and the note form when it answers with the page)."""
    ov = overview(enrollment, today)
    number = day.number
    note = DayNote.objects.filter(enrollment=enrollment, day=day).first()
    return {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "day": day,
        "date": ov.date_of(number),
        "state": ov.day_state(number),
        "done_ids": ticked_ids(day),
        "day_done": ov.day_done(number),
        "day_total": ov.day_total(number),
        "prev_number": ov.day_before(number),
        "next_number": ov.day_after(number),
        "note": note,
        "note_body": note.body if note else "",
        "note_version": note.version if note else 0,
    }


# --- the month calendar -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    date: date
    in_month: bool
    is_today: bool
    kind: DayKind
    number: int | None
    state: str  # done / partial / missed / today / upcoming for study days, "" otherwise
    day: Day | None


def _cell(ov: Overview, d: date, kind: DayKind, number: int | None, month: int, days: dict[int, Day]) -> Cell:
    return Cell(
        date=d,
        in_month=d.month == month,
        is_today=d == ov.today,
        kind=kind,
        number=number,
        state=ov.day_state(number) if number is not None else "",
        day=days.get(number) if number is not None else None,
    )


def month_cells(ov: Overview, year: int, month: int) -> list[list[Cell]]:
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    on = {d: ov.schedule.day_on(d) for week in weeks for d in week}
    numbers = [o.number for o in on.values() if o.number is not None]
    rows = Day.objects.filter(plan_id=ov.enrollment.plan_id, number__in=numbers).prefetch_related("sessions")
    days = {d.number: d for d in rows}
    return [[_cell(ov, d, on[d].kind, on[d].number, month, days) for d in week] for week in weeks]


def shift_month(year: int, month: int, by: int) -> tuple[int, int] | None:
    """(year, month) `by` months away, or None outside YEARS."""
    index = year * 12 + (month - 1) + by
    y, m = divmod(index, 12)
    return (y, m + 1) if y in YEARS else None


# --- the plan's phases and weeks --------------------------------------------------------------------------


@dataclass
class Part:
    """A week or phase with its days and task counts."""

    number: int
    title: str
    done: int = 0
    total: int = 0
    days: list[Day] = field(default_factory=list)
    weeks: list[Part] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def phases_of(ov: Overview, days: list[Day]) -> list[Part]:
    """Group the plan's days (select_related week and phase) into phases > weeks, adding up counts."""
    phases: dict[int, Part] = {}
    weeks: dict[int, Part] = {}
    for day in days:
        week, phase = day.week, day.week.phase
        p = phases.setdefault(phase.number, Part(phase.number, phase.title))
        if week.number not in weeks:
            weeks[week.number] = Part(week.number, week.title)
            p.weeks.append(weeks[week.number])
        w = weeks[week.number]
        w.days.append(day)
        done, total = ov.day_done(day.number), ov.day_total(day.number)
        w.done += done
        w.total += total
        p.done += done
        p.total += total
    return [phases[n] for n in sorted(phases)]


# --- days off ---------------------------------------------------------------------------------------------


def days_off_context(enrollment: Enrollment, today: date, form: DayOffForm | None = None) -> dict[str, object]:
    """What `progress/_days_off.html` needs (the settings page includes it with `{% days_off_panel %}`)."""
    return {
        "days_off": rescheduling.upcoming_days_off(enrollment, today),
        "day_off_form": form or DayOffForm(enrollment=enrollment, today=today),
        "today": today,
    }
