"""The contexts of the pages a learner and an instructor's preview (progress.preview) both show.

Today, the calendar and the plan are built here once, from the overview the view already has (the learner's
views build them only when their cache misses); the day page's context is `pages.day_context`. The learner's
views cache the rendered pages, the preview's do not: see progress.views.preview.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404

from progress.pages import YEARS, month_cells, phases_of, shift_month
from progress.phase_pages import PhasePages, limit_to_phase
from progress.services import Overview, agenda


def today_context(ov: Overview) -> dict[str, object]:
    """What `progress/today.html` needs."""
    e, today = ov.enrollment, ov.today
    return {"enrollment": e, "agenda": agenda(e, today, ov), "overview": ov, "today": today}


def month_of(today: date, year: int | None, month: int | None) -> tuple[int, int]:
    """The calendar's month: today's by default; 404 outside pages.YEARS."""
    if year is None or month is None:
        year, month = today.year, today.month
    if year not in YEARS or not 1 <= month <= 12:
        raise Http404("no such month")
    return year, month


def calendar_context(ov: Overview, year: int, month: int) -> dict[str, object]:
    """What `progress/calendar.html` needs for one month (checked by `month_of`)."""
    return {
        "enrollment": ov.enrollment,
        "overview": ov,
        "today": ov.today,
        "month_start": date(year, month, 1),
        "weeks": month_cells(ov, year, month),
        "weekday_names": [date(2024, 1, i) for i in range(1, 8)],  # 2024-01-01 was a Monday
        "prev": shift_month(year, month, -1),
        "next": shift_month(year, month, 1),
    }


def plan_context(ov: Overview, pages: PhasePages | None) -> dict[str, object]:
    """What `progress/plan.html` needs (one phase at a time for very long plans: `phase_pages.phase_pages`)."""
    return {
        "enrollment": ov.enrollment,
        "overview": ov,
        "today": ov.today,
        "phases": limit_to_phase(phases_of(ov), pages),
        "sections": ov.structure.sections,
        "phase_pages": pages,
    }
