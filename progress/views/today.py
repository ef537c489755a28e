"""Today: what the plan asks of the learner on their local date."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_page, overview_inputs
from progress.services import agenda, overview


@learner_page()
def today(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    return cached_page(
        request,
        "progress/today.html",
        overview_inputs(ov),
        lambda: {"enrollment": enrollment, "agenda": agenda(enrollment, today, ov), "overview": ov, "today": today},
    )
