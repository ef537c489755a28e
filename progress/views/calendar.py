"""Month calendar: each date with its plan day, topics and state; prev/next swap the grid with htmx."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import overview_inputs, render_part
from progress.page_contexts import calendar_context


@vary_on_headers("HX-Request")
@learner_page()
def calendar_month(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    today: date,
    year: int | None = None,
    month: int | None = None,
) -> HttpResponse:
    context = calendar_context(enrollment, today, year, month)
    ov = context["overview"]
    grid = render_part(request, "progress/calendar.html#month-grid", context, overview_inputs(ov))  # type: ignore[arg-type]
    # A history-restore request (back button after a cache miss) wants the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return HttpResponse(grid)
    return render(request, "progress/calendar.html", {**context, "grid": grid})
