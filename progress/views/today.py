"""Today: what the plan asks of the learner on their local date."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress import late_start
from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_page, learner_inputs
from progress.page_contexts import today_context
from progress.services import overview


@learner_page()
def today(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def context() -> dict[str, object]:
        ov = overview(enrollment, today)
        # The late-start offer is the learner's own, so the preview (which shares today_context) never shows it.
        return {**today_context(ov), "late_start": late_start.offer(ov), "restarted": late_start.restarted(ov)}

    return cached_page(request, "progress/today.html", learner_inputs(enrollment, today), context)
