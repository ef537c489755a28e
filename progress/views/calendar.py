"""Month calendar: each date with its plan day, topics and state; prev/next swap the grid with htmx."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.vary import vary_on_headers

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_whole, learner_inputs, render_part
from progress.page_contexts import calendar_context, month_of
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
    year, month = month_of(today, year, month)
    inputs = learner_inputs(enrollment, today)

    def context() -> dict[str, object]:
        return calendar_context(overview(enrollment, today), year, month)

    def grid(values: dict[str, object]) -> str:
        return render_part(request, "progress/calendar.html#month-grid", values, inputs)

    # A history-restore request (back button after a cache miss) wants the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return cached_whole(request, ("progress/calendar.html#month-grid", *inputs), lambda: grid(context()))

    def page() -> str:
        values = context()
        return render_to_string("progress/calendar.html", {**values, "grid": grid(values)}, request)

    return cached_whole(request, ("progress/calendar.html", *inputs), page)
