"""The plan page of a very long plan, one phase at a time.

A plan of thousands of days would make the plan page megabytes of HTML and thousands of rows to read per
visit. Above `PLAN_PAGE_MAX_DAYS` days the page shows one phase (`?phase=N`, by default the phase of the
learner's first unfinished day) with links to the others; shorter plans keep their one whole page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from curriculum.models import Day, Phase
from progress.services import Overview


@dataclass(frozen=True)
class PhasePages:
    """The phases to link to (number, title) and the one shown."""

    phases: tuple[tuple[int, str], ...]
    current: int


def phase_pages(request: HttpRequest, plan_id: int, ov: Overview) -> PhasePages | None:
    """None for a plan short enough for one page; else the phase asked for, 404 for one the plan lacks."""
    if ov.schedule.total_days <= settings.PLAN_PAGE_MAX_DAYS:
        return None
    phases = tuple(Phase.objects.filter(plan_id=plan_id).order_by("number").values_list("number", "title"))
    asked = request.GET.get("phase")
    if asked is None:
        current = _phase_of_day(plan_id, ov.first_unfinished or 1)
    elif asked.isascii() and asked.isdecimal() and len(asked) <= 5:
        current = int(asked)
    else:
        raise Http404("no such phase")
    if current not in dict(phases):
        raise Http404("no such phase")
    return PhasePages(phases, current)


def _phase_of_day(plan_id: int, number: int) -> int:
    found = Day.objects.filter(plan_id=plan_id, number=number).values_list("week__phase__number", flat=True).first()
    return found or 1


def limit_to_phase(days: QuerySet[Day], pages: PhasePages | None) -> QuerySet[Day]:
    return days if pages is None else days.filter(week__phase__number=pages.current)
