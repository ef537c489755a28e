"""What two learner pages share: the contexts they build (a day, a month, the plan's phases, days off).

Views live in `progress.views`, one module per page group, and build on these instead of on each other.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from progress import rescheduling
from progress.forms.schedule import DayOffForm
from progress.models import DayNote, Enrollment
from progress.schedule import DayKind
from progress.services import Overview, overview
from progress.structure import DayItem, PlanStructure
from progress.study_hours import QUICK_MINUTES
from progress.study_time import day_time, plan_hours, study_state

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


def plan_day(structure: PlanStructure, number: int) -> DayItem:
    """A day of the learner's plan (from its cached structure), or 404."""
    day = structure.days.get(number)
    if day is None:
        raise Http404("no such day in this plan")
    return day


def day_context(enrollment: Enrollment, today: date, number: int) -> dict[str, object]:
    """What `progress/day.html` needs (the day page, and the note form when it answers with the page)."""
    ov = overview(enrollment, today)
    day = plan_day(ov.structure, number)
    note = DayNote.objects.filter(enrollment=enrollment, day_id=day.pk).first()
    return {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "day": day,
        "date": ov.date_of(number),
        "state": ov.day_state(number),
        "done_ids": ov.ticked,
        "day_done": ov.day_done(number),
        "day_total": ov.day_total(number),
        "prev_number": ov.day_before(number),
        "next_number": ov.day_after(number),
        "note": note,
        "note_body": note.body if note else "",
        "note_version": note.version if note else 0,
        **time_context(enrollment, ov.structure, number),
    }


def time_context(enrollment: Enrollment, structure: PlanStructure, number: int) -> dict[str, object]:
    """What the day page's study-time card (`day.html#study-time`) needs; read with the learner's state."""
    return {
        "time": day_time(enrollment, structure, number, study_state(enrollment)),
        "hours": plan_hours(enrollment),
        "quick_minutes": QUICK_MINUTES,
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
    day: DayItem | None


def _cell(ov: Overview, d: date, kind: DayKind, number: int | None, month: int, days: dict[int, DayItem]) -> Cell:
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
    days = ov.structure.days
    return [[_cell(ov, d, on[d].kind, on[d].number, month, days) for d in week] for week in weeks]


def shift_month(year: int, month: int, by: int) -> tuple[int, int] | None:
    """(year, month) `by` months away, or None outside YEARS."""
    index = year * 12 + (month - 1) + by
    y, m = divmod(index, 12)
    return (y, m + 1) if y in YEARS else None


# --- the plan's phases and weeks --------------------------------------------------------------------------


@dataclass
class Part:
    """A week or phase with its days and this learner's task counts."""

    number: int
    title: str
    done: int = 0
    total: int = 0
    days: list[DayItem] = field(default_factory=list)
    weeks: list[Part] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def phases_of(ov: Overview) -> list[Part]:
    """The plan's phases > weeks > days (from the cached structure), adding up the learner's counts."""
    phases: list[Part] = []
    for phase in ov.structure.phases:
        p = Part(phase.number, phase.title)
        for week in phase.weeks:
            w = Part(week.number, week.title, days=[ov.structure.days[n] for n in week.day_numbers])
            w.done = sum(ov.day_done(n) for n in week.day_numbers)
            w.total = sum(ov.day_total(n) for n in week.day_numbers)
            p.weeks.append(w)
            p.done += w.done
            p.total += w.total
        phases.append(p)
    return phases


# --- days off ---------------------------------------------------------------------------------------------


def days_off_context(enrollment: Enrollment, today: date, form: DayOffForm | None = None) -> dict[str, object]:
    """What `progress/_days_off.html` needs (the settings page includes it with `{% days_off_panel %}`)."""
    return {
        "days_off": rescheduling.upcoming_days_off(enrollment, today),
        "day_off_form": form or DayOffForm(enrollment=enrollment, today=today),
        "today": today,
    }
