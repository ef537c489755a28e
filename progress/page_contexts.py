"""The contexts of the pages a learner and an instructor's preview (progress.preview) both show.

Today, the calendar and the plan are built here once; the day page's context is `pages.day_context`. The
learner's views cache the rendered bodies, the preview's do not: see progress.views.preview.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest

from progress.models import Enrollment
from progress.pages import YEARS, month_cells, phases_of, shift_month
from progress.phase_pages import limit_to_phase, phase_pages
from progress.services import agenda, overview


def today_context(enrollment: Enrollment, today: date) -> dict[str, object]:
    """What `progress/today.html` needs."""
    plan = agenda(enrollment, today)
    return {"enrollment": enrollment, "agenda": plan, "overview": plan.overview, "today": today}


def calendar_context(enrollment: Enrollment, today: date, year: int | None, month: int | None) -> dict[str, object]:
    """What `progress/calendar.html` needs for one month (today's by default); 404 outside pages.YEARS."""
    if year is None or month is None:
        year, month = today.year, today.month
    if year not in YEARS or not 1 <= month <= 12:
        raise Http404("no such month")
    ov = overview(enrollment, today)
    return {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "month_start": date(year, month, 1),
        "weeks": month_cells(ov, year, month),
        "weekday_names": [date(2024, 1, i) for i in range(1, 8)],  # 2024-01-01 was a Monday
        "prev": shift_month(year, month, -1),
        "next": shift_month(year, month, 1),
    }


def plan_context(request: HttpRequest, enrollment: Enrollment, today: date) -> dict[str, object]:
    """What `progress/plan.html` needs (one phase at a time for very long plans, `?phase=N`)."""
    ov = overview(enrollment, today)
    pages = phase_pages(request, ov)
    return {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "phases": limit_to_phase(phases_of(ov), pages),
        "sections": ov.structure.sections,
        "phase_pages": pages,
    }
