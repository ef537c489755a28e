"""Month calendar: each date with its plan day, topics and state; prev/next swap the grid with htmx."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from curriculum.models import Day
from progress.models import Enrollment
from progress.schedule import DayKind
from progress.services import Overview, overview
from progress.views_common import HtmxHttpRequest, learner_page

# A study plan lives in the present; bounding the years keeps date arithmetic far from date.min/max.
YEARS = range(1900, 3000)


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


def _shift(year: int, month: int, by: int) -> tuple[int, int] | None:
    index = year * 12 + (month - 1) + by
    y, m = divmod(index, 12)
    return (y, m + 1) if y in YEARS else None


@vary_on_headers("HX-Request")
@learner_page
def calendar_month(
    request: HtmxHttpRequest, enrollment: Enrollment, today: date, year: int | None = None, month: int | None = None
) -> HttpResponse:
    if year is None or month is None:
        year, month = today.year, today.month
    if year not in YEARS or not 1 <= month <= 12:
        raise Http404("no such month")
    ov = overview(enrollment, today)
    context = {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "month_start": date(year, month, 1),
        "weeks": month_cells(ov, year, month),
        "weekday_names": [date(2024, 1, i) for i in range(1, 8)],  # 2024-01-01 was a Monday
        "prev": _shift(year, month, -1),
        "next": _shift(year, month, 1),
    }
    # A history-restore request (back button after a cache miss) wants the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "progress/calendar.html#month-grid" if partial else "progress/calendar.html"
    return render(request, template, context)
