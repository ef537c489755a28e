"""Today: what the plan asks of the learner on their local date."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import overview_inputs, render_page
from progress.services import agenda


@learner_page()
def today(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    plan = agenda(enrollment, today)
    context = {"enrollment": enrollment, "agenda": plan, "overview": plan.overview, "today": today}
    return render_page(request, "progress/today.html", context, overview_inputs(plan.overview))
