"""Instructors edit the plan here, one level per page, each with Django's own inlines for the level below.

- Plan page: the plan's phases, weeks and resource sections, inline; each section row lists its items and
  links to the section's page, where the items are edited.
- Day page: the day's sessions, inline; each session row lists its tasks and links to the session's page,
  where the tasks are edited. Session and section pages are reached from these rows, not from the index.
- Day, session and task lists show the structure at a glance and filter by plan / phase / week; a task's
  own page can move it to another session of its plan.

Every page makes a fixed number of queries whatever the plan's size: lists use select_related, one prefetch
and subquery counts; inline selects are loaded once per inline, not once per row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from curriculum.admin_bases import ChildListInline, ChildPageAdmin, CurriculumAdmin, TextRowInline
from curriculum.admin_documents import PlanDocumentsMixin
from curriculum.admin_filters import structure_filters
from curriculum.admin_forms import DayForm
from curriculum.admin_instructors import PlanInstructorsMixin
from curriculum.admin_tasks import TaskAdmin
from curriculum.adminkit import (
    OrderedTabularInline,
)
from curriculum.counting import count_subquery
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week

RECENT_VERSIONS = 5


# --- plan page ---------------------------------------------------------------------------------------------


class PhaseInline(OrderedTabularInline):
    model = Phase
    fields = ["number", "title"]
    order_field = "number"
    ordering = ["number"]


class WeekInline(OrderedTabularInline):
    model = Week
    fields = ["number", "phase", "title", "day_list"]
    readonly_fields = ["day_list"]
    order_field = "number"
    ordering = ["number"]
    choices_for: Any = {"phase": (lambda plan: plan.phases.order_by("number"), "phases")}

    @admin.display(description=_("days"))
    def day_list(self, week: Week) -> str:
        if not week.pk:
            return ""
        url = reverse("admin:curriculum_day_changelist")
        return format_html('<a href="{}?plan={}&amp;week={}">{}</a>', url, week.plan_id, week.pk, _("edit days"))


class ResourceSectionInline(ChildListInline):
    model = ResourceSection
    fields = ["position", "heading", "item_list"]
    readonly_fields = ["item_list"]
    ordering = ["position"]
    children = "items"

    @admin.display(description=_("resources"))
    def item_list(self, section: ResourceSection) -> SafeString:
        return self.child_list(section, gettext("Edit this section's items"), gettext("Save, then add its items."))


@admin.register(Plan)
class PlanAdmin(PlanDocumentsMixin, PlanInstructorsMixin, CurriculumAdmin):
    # Adds the document pages' links: import on the list, replace / download / versions on a plan's page.
    change_list_template = "admin/curriculum/plan/change_list.html"
    change_form_template = "admin/curriculum/plan/change_form.html"
    list_display = ["title", "slug", "published", "phase_count", "week_count", "day_count", "task_count"]
    list_filter = ["published"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "published",
        "overview_heading",
        "summary",
        "resources_heading",
        ("study_hours_min", "study_hours_max"),
        "day_list",
        "version_list",
        "cohort_link",
        "instructors",
    ]
    readonly_fields = ["day_list", "version_list", "cohort_link"]
    filter_horizontal = ["instructors"]
    inlines = [PhaseInline, WeekInline, ResourceSectionInline]

    def get_inlines(self, request: HttpRequest, obj: Plan | None) -> list[type[Any]]:
        # Weeks pick a phase: the phases must be saved first.
        if obj is None:
            return [PhaseInline, ResourceSectionInline]
        return list(self.inlines)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Plan]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                phase_total=count_subquery(Phase.objects.filter(plan=OuterRef("pk")), "plan"),
                week_total=count_subquery(Week.objects.filter(plan=OuterRef("pk")), "plan"),
                day_total=count_subquery(Day.objects.filter(plan=OuterRef("pk")), "plan"),
                task_total=count_subquery(Task.objects.filter(session__day__plan=OuterRef("pk")), "session__day__plan"),
            )
        )

    @admin.display(description=_("phases"), ordering="phase_total")
    def phase_count(self, plan: Any) -> int:
        return int(plan.phase_total)

    @admin.display(description=_("weeks"), ordering="week_total")
    def week_count(self, plan: Any) -> int:
        return int(plan.week_total)

    @admin.display(description=_("days"), ordering="day_total")
    def day_count(self, plan: Any) -> int:
        return int(plan.day_total)

    @admin.display(description=_("tasks"), ordering="task_total")
    def task_count(self, plan: Any) -> int:
        return int(plan.task_total)

    @admin.display(description=_("days"))
    def day_list(self, plan: Plan) -> str:
        if not plan.pk:
            return "—"
        url = reverse("admin:curriculum_day_changelist")
        return format_html('<a href="{}?plan={}">{}</a>', url, plan.pk, _("Edit the plan's days, sessions and tasks"))

    @admin.display(description=_("versions"))
    def version_list(self, plan: Plan) -> str:
        if not plan.pk:
            return "—"
        latest = plan.versions.select_related("author")[:RECENT_VERSIONS]
        rows = format_html_join(
            "",
            "{} · {} · {}<br>",
            ((localize(localtime(v.created_at)), v.author or "—", v.get_action_display()) for v in latest),
        )
        url = reverse("admin:curriculum_plan_versions", args=[plan.pk])
        return format_html('{}<a href="{}">{}</a>', rows, url, _("All versions, compare and restore"))


class ResourceInline(TextRowInline):
    model = Resource


@admin.register(ResourceSection)
class ResourceSectionAdmin(ChildPageAdmin):
    fields = ["plan", "heading"]
    readonly_fields = ["plan"]
    inlines = [ResourceInline]
    list_display = ["heading", "plan"]
    list_select_related = ["plan"]
    ordering = ["plan", "position"]


# --- day page and session page -----------------------------------------------------------------------------


class SessionInline(ChildListInline):
    model = Session
    fields = ["position", "slot", "topic", "task_list"]
    readonly_fields = ["task_list"]
    ordering = ["position"]
    children = "tasks"

    @admin.display(description=_("tasks"))
    def task_list(self, session: Session) -> SafeString:
        return self.child_list(session, gettext("Edit this session's tasks"), gettext("Save, then add its tasks."))


@admin.register(Day)
class DayAdmin(CurriculumAdmin):
    form = DayForm
    list_display = ["number", "week_label", "phase_label", "topics", "task_count", "plan"]
    list_display_links = ["number"]
    list_filter = structure_filters("")
    list_select_related = ["plan", "week__phase"]
    list_per_page = 60
    search_fields = ["sessions__topic", "sessions__tasks__text"]
    ordering = ["plan", "number"]
    inlines = [SessionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Day | None = None) -> list[str]:
        # Moving a day to another plan would strand its week; a day belongs to its plan for good.
        return ["plan"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Day]:
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "week__phase")
            .annotate(task_total=count_subquery(Task.objects.filter(session__day=OuterRef("pk")), "session__day"))
            .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("position")))
        )

    @admin.display(description=_("week"), ordering="week__number")
    def week_label(self, day: Day) -> str:
        return str(day.week)

    @admin.display(description=_("phase"), ordering="week__phase__number")
    def phase_label(self, day: Day) -> str:
        return str(day.week.phase)

    @admin.display(description=_("sessions"))
    def topics(self, day: Day) -> str:
        return " / ".join(str(s) for s in day.sessions.all())

    @admin.display(description=_("tasks"), ordering="task_total")
    def task_count(self, day: Any) -> int:
        return int(day.task_total)


class TaskInline(TextRowInline):
    model = Task


@admin.register(Session)
class SessionAdmin(ChildPageAdmin):
    fields = ["day", "slot", "topic"]
    readonly_fields = ["day"]
    inlines = [TaskInline]
    list_display = ["__str__", "day", "plan_label"]
    list_filter = structure_filters("day")
    list_select_related = ["day__plan"]
    search_fields = ["topic"]
    ordering = ["day__plan", "day__number", "position"]

    @admin.display(description=_("plan"))
    def plan_label(self, session: Session) -> str:
        return str(session.day.plan)


# The task list (search across the whole plan, citations inline) is in curriculum/admin_tasks.py.
admin.site.register(Task, TaskAdmin)
