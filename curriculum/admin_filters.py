"""Day, session and task lists filter by plan, phase and week; each filter narrows with the plan chosen."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from curriculum.models import Phase, Plan, Week


class _StructureFilter(admin.SimpleListFilter):
    """Filter by a plan / phase / week id reached through `path`; a bad id shows nothing, never a 500."""

    path = ""

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if _as_id(value) is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path}_id": value})


def _as_id(value: object) -> str | None:
    """`value` if it can be a primary key: ASCII digits ("²".isdigit() is true but int("²") fails), and
    short enough for a 64-bit integer (SQLite overflows on a longer one)."""
    text = str(value)
    return text if text.isascii() and text.isdecimal() and len(text) <= 18 else None


def _param(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name)
    return _as_id(value) if value else None


def structure_filters(prefix: str) -> list[Any]:
    """Plan, phase and week filters for a model that reaches Day through `prefix` ("" for Day itself)."""
    lead = f"{prefix}__" if prefix else ""

    class PlanFilter(_StructureFilter):
        title = _("plan")
        parameter_name = "plan"
        path = f"{lead}plan"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [(str(p.pk), p.title) for p in Plan.objects.only("pk", "title")]

    class PhaseFilter(_StructureFilter):
        title = _("phase")
        parameter_name = "phase"
        path = f"{lead}week__phase"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            phases = Phase.objects.select_related("plan").order_by("plan__title", "number")
            plan = _param(request, "plan")
            if plan:
                return [(str(p.pk), str(p)) for p in phases.filter(plan_id=plan)]
            return [(str(p.pk), f"{p.plan} · {p}") for p in phases]

    class WeekFilter(_StructureFilter):
        title = _("week")
        parameter_name = "week"
        path = f"{lead}week"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            weeks = Week.objects.select_related("plan").order_by("plan__title", "number")
            if phase := _param(request, "phase"):
                return [(str(w.pk), str(w)) for w in weeks.filter(phase_id=phase)]
            if plan := _param(request, "plan"):
                return [(str(w.pk), str(w)) for w in weeks.filter(plan_id=plan)]
            return [(str(w.pk), f"{w.plan} · {w}") for w in weeks]

    return [PlanFilter, PhaseFilter, WeekFilter]
