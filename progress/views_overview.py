"""The whole plan with per-week progress, and the learner's progress figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from curriculum.models import Day, ResourceSection, Session
from progress import heatmap
from progress.models import Enrollment
from progress.services import Overview, completions_per_local_date, overview
from progress.views_common import HtmxHttpRequest, learner_page


@dataclass
class Part:
    """A week or phase with its days and task counts."""

    number: int
    title: str
    done: int = 0
    total: int = 0
    days: list[Day] = field(default_factory=list)
    weeks: list[Part] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def phases_of(ov: Overview, days: list[Day]) -> list[Part]:
    """Group the plan's days (select_related week and phase) into phases > weeks, adding up counts."""
    phases: dict[int, Part] = {}
    weeks: dict[int, Part] = {}
    for day in days:
        week, phase = day.week, day.week.phase
        p = phases.setdefault(phase.number, Part(phase.number, phase.title))
        if week.number not in weeks:
            weeks[week.number] = Part(week.number, week.title)
            p.weeks.append(weeks[week.number])
        w = weeks[week.number]
        w.days.append(day)
        done, total = ov.day_done(day.number), ov.day_total(day.number)
        w.done += done
        w.total += total
        p.done += done
        p.total += total
    return [phases[n] for n in sorted(phases)]


@learner_page
def plan(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    ov = overview(enrollment, today)
    days = list(
        Day.objects.filter(plan_id=enrollment.plan_id)
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
    }
    return render(request, "progress/plan.html", context)


@learner_page
def progress(request: HtmxHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
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
