"""Today: what the plan asks of the learner on their local date."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import overview_inputs, render_page
from progress.page_contexts import today_context


@learner_page()
def today(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    context = today_context(enrollment, today)
    return render_page(request, "progress/today.html", context, overview_inputs(context["overview"]))  # type: ignore[arg-type]
