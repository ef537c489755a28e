"""Month calendar: each date with its plan day, topics and state; prev/next swap the grid with htmx."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.vary import vary_on_headers

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_whole, overview_inputs, render_part
from progress.pages import YEARS, month_cells, shift_month
from progress.services import overview


@vary_on_headers("HX-Request")
@learner_page()
def calendar_month(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    today: date,
    year: int | None = None,
    month: int | None = None,
) -> HttpResponse:
    if year is None or month is None:
        year, month = today.year, today.month
    if year not in YEARS or not 1 <= month <= 12:
        raise Http404("no such month")
    ov = overview(enrollment, today)
    inputs = overview_inputs(ov)

    def context() -> dict[str, object]:
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

    def grid(values: dict[str, object]) -> str:
        return render_part(request, "progress/calendar.html#month-grid", values, inputs)

    # A history-restore request (back button after a cache miss) wants the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return cached_whole(request, ("progress/calendar.html#month-grid", *inputs), lambda: grid(context()))

    def page() -> str:
        values = context()
        return render_to_string("progress/calendar.html", {**values, "grid": grid(values)}, request)

    return cached_whole(request, ("progress/calendar.html", *inputs), page)
