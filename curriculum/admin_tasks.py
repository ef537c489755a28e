"""The task list: every task of every plan, searchable and filtered by plan / phase / week, with the
resources each task cites edited inline. Registered in curriculum/admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from curriculum.admin_bases import CurriculumAdmin
from curriculum.admin_filters import structure_filters
from curriculum.admin_forms import TaskForm
from curriculum.models import Citation, Resource, Task


class CitationInline(admin.TabularInline):
    """The resources a task cites: the importer's matches (marked) and any an instructor adds or removes."""

    model = Citation
    extra = 1
    fields = ["resource", "automatic"]
    readonly_fields = ["automatic"]

    def get_formset(self, request: HttpRequest, obj: Task | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["resource"]
        resources = Resource.objects.select_related("section__plan").order_by("section__position", "position")
        if obj is not None:
            resources = resources.filter(section__plan_id=obj.session.day.plan_id)
        field.queryset = resources  # type: ignore[attr-defined]
        field.label_from_instance = lambda r: f"{r.section.heading} · {r.text}"  # type: ignore[attr-defined]
        return formset


class TaskAdmin(CurriculumAdmin):
    form = TaskForm
    inlines = [CitationInline]
    list_display = ["text", "day_link", "session_link", "week_label", "plan_label"]
    list_filter = structure_filters("session__day")
    list_select_related = ["session__day__week", "session__day__plan"]
    list_per_page = 100
    search_fields = ["text"]
    ordering = ["session__day__plan", "session__day__number", "session__position", "position"]

    @admin.display(description=_("day"), ordering="session__day__number")
    def day_link(self, task: Task) -> str:
        url = reverse("admin:curriculum_day_change", args=[task.session.day_id])
        return format_html('<a href="{}">{}</a>', url, task.session.day)

    @admin.display(description=_("session"))
    def session_link(self, task: Task) -> str:
        url = reverse("admin:curriculum_session_change", args=[task.session_id])
        return format_html('<a href="{}">{}</a>', url, task.session)

    @admin.display(description=_("week"))
    def week_label(self, task: Task) -> str:
        return str(task.session.day.week)

    @admin.display(description=_("plan"))
    def plan_label(self, task: Task) -> str:
        return str(task.session.day.plan)
