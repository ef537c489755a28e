"""Today: what the plan asks of the learner on their local date."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress import late_start
from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import overview_inputs, render_page
from progress.services import agenda


@learner_page()
def today(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    plan = agenda(enrollment, today)
    context = {
        "enrollment": enrollment,
        "agenda": plan,
        "overview": plan.overview,
        "today": today,
        # Read from what the page's inputs already hold (start date, enrollment, schedule changes, date).
        "late_start": late_start.offer(plan.overview),
        "restarted": late_start.restarted(plan.overview),
    }
    return render_page(request, "progress/today.html", context, overview_inputs(plan.overview))
