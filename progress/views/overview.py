"""The whole plan with per-week progress, and the learner's progress figures."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse

from progress import activity, heatmap
from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.page_cache import cached_page, learner_inputs
from progress.page_contexts import plan_context
from progress.pages import phases_of
from progress.phase_pages import phase_pages
from progress.services import overview
from progress.study_time import plan_hours, study_weeks


@learner_page()
def plan(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def context() -> dict[str, object]:
        ov = overview(enrollment, today)
        # Raises 404 for a phase the plan lacks: such a page is never stored, so never served from the cache.
        return plan_context(ov, phase_pages(request, ov))

    return cached_page(request, "progress/plan.html", learner_inputs(enrollment, today), context)


@learner_page()
def progress(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    def context() -> dict[str, object]:
        ov = overview(enrollment, today)
        done = activity.load(enrollment)  # one query: ticks and notes with their local dates
        dates = ov.schedule.dates
        return {
            "enrollment": enrollment,
            "overview": ov,
            "today": today,
            "phases": phases_of(ov),
            "streak": ov.streak,  # plan days fully done in a row
            "study": activity.streaks(dates, activity.counted_dates(dates, done.by_day(ov.structure)), today),
            "heatmap": heatmap.build(done.ticks_per_date(), today, dates),
            "study_weeks": study_weeks(ov),
            "hours": plan_hours(enrollment),
        }

    # The notes' dates count for the streak: notes are state, so a saved note moves the key too.
    return cached_page(request, "progress/progress.html", learner_inputs(enrollment, today), context)
