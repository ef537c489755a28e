"""The plan page of a very long plan, one phase at a time.

A plan of thousands of days would make the plan page megabytes of HTML per visit. Above `PLAN_PAGE_MAX_DAYS`
days the page shows one phase (`?phase=N`, by default the phase of the learner's first unfinished day) with
links to the others; shorter plans keep their one whole page. Everything comes from the cached plan
structure, so paging costs no query; the rendered part is cached per full path, so per phase.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest

from progress.pages import Part
from progress.services import Overview


@dataclass(frozen=True)
class PhasePages:
    """The phases to link to (number, title) and the one shown."""

    phases: tuple[tuple[int, str], ...]
    current: int


def phase_pages(request: HttpRequest, ov: Overview) -> PhasePages | None:
    """None for a plan short enough for one page; else the phase asked for, 404 for one the plan lacks."""
    structure = ov.structure
    if structure.last_day <= settings.PLAN_PAGE_MAX_DAYS or not structure.phases:
        return None
    phases = tuple((p.number, p.title) for p in structure.phases)
    asked = request.GET.get("phase")
    if asked is None:
        first = structure.days.get(ov.first_unfinished or 0)
        current = first.week.phase_number if first else phases[0][0]
    elif asked.isascii() and asked.isdecimal() and len(asked) <= 5:
        current = int(asked)
    else:
        raise Http404("no such phase")
    if current not in dict(phases):
        raise Http404("no such phase")
    return PhasePages(phases, current)


def limit_to_phase(parts: list[Part], pages: PhasePages | None) -> list[Part]:
    return parts if pages is None else [p for p in parts if p.number == pages.current]
