"""The whole plan with per-week progress, and the learner's progress figures."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from curriculum.models import Day, ResourceSection, Session
from progress import heatmap
from progress.access import AuthenticatedHttpRequest, learner_page
from progress.models import Enrollment
from progress.pages import phases_of
from progress.phase_pages import limit_to_phase, phase_pages
from progress.services import completions_per_local_date, overview


@learner_page()
def plan(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    pages = phase_pages(request, enrollment.plan_id, ov)
    days = list(
        limit_to_phase(Day.objects.filter(plan_id=enrollment.plan_id), pages)
        .select_related("week__phase")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("position")))
        .order_by("number")
    )
    sections = ResourceSection.objects.filter(plan_id=enrollment.plan_id).prefetch_related("items")
    context = {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "phases": phases_of(ov, days),
        "sections": sections,
        "phase_pages": pages,
    }
    return render(request, "progress/plan.html", context)


@learner_page()
def progress(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    days = list(Day.objects.filter(plan_id=enrollment.plan_id).select_related("week__phase").order_by("number"))
    counts = completions_per_local_date(enrollment)
    context = {
        "enrollment": enrollment,
        "overview": ov,
        "today": today,
        "phases": phases_of(ov, days),
        "streak": ov.streak,
        "heatmap": heatmap.build(counts, today, ov.schedule.first_date),
    }
    return render(request, "progress/progress.html", context)
