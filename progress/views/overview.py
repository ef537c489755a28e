"""The whole plan with per-week progress, and the learner's progress figures."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress import heatmap
from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_page, overview_inputs
from progress.pages import phases_of
from progress.phase_pages import limit_to_phase, phase_pages
from progress.services import completions_per_local_date, overview
from progress.study_time import plan_hours, study_weeks


@learner_page()
def plan(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    pages = phase_pages(request, ov)

    def context() -> dict[str, object]:
        return {
            "enrollment": enrollment,
            "overview": ov,
            "today": today,
            "phases": limit_to_phase(phases_of(ov), pages),
            "sections": ov.structure.sections,
            "phase_pages": pages,
        }

    return cached_page(request, "progress/plan.html", overview_inputs(ov), context)


@learner_page()
def progress(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    counts = completions_per_local_date(enrollment)

    def context() -> dict[str, object]:
        return {
            "enrollment": enrollment,
            "overview": ov,
            "today": today,
            "phases": phases_of(ov),
            "streak": ov.streak,
            "heatmap": heatmap.build(counts, today, ov.schedule.first_date),
            "study_weeks": study_weeks(ov),
            "hours": plan_hours(enrollment),
        }

    return cached_page(request, "progress/progress.html", (*overview_inputs(ov), sorted(counts.items())), context)
