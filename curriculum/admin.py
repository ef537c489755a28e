"""Instructors edit the plan here.

- Plan page: the plan's phases, weeks, resource sections and resource items, all inline.
- Day page: the day's sessions AND the tasks of those sessions on one page. Django has no nested inlines, so
  the task inline lists the day's tasks directly, each with a select of this day's sessions (see adminkit).
- Day and task lists show the structure at a glance and filter by plan / phase / week.

Every page makes a fixed number of queries whatever the plan's size: lists use select_related, one prefetch
and subquery counts; inline selects are loaded once per inline, not once per row.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.db.models import OuterRef, Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from curriculum.adminkit import (
    OrderedTabularInline,
    RefuseProtectedDeletesMixin,
    ScopedInline,
    SingleLineFieldsMixin,
)
from curriculum.counting import count_subquery
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week

TEXT_WIDGET: Any = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 90})}}


# --- list filters that narrow with the plan chosen ---------------------------------------------------------


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


class ResourceSectionInline(OrderedTabularInline):
    model = ResourceSection
    fields = ["position", "heading"]
    ordering = ["position"]


class ResourceInline(ScopedInline):
    model = Resource
    verbose_name_plural = _("resource items (add a section above, save, then its items here)")
    scope_lookup = "section__plan"
    fields = ["section", "position", "text"]
    ordering = ["section__position", "position"]
    choices_for: Any = {"section": (lambda plan: plan.resource_sections.order_by("position"), "resource_sections")}
    formfield_overrides = TEXT_WIDGET


@admin.register(Plan)
class PlanAdmin(SingleLineFieldsMixin, RefuseProtectedDeletesMixin, admin.ModelAdmin):
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
        "day_list",
        "cohort_link",
        "instructors",
    ]
    readonly_fields = ["day_list", "cohort_link"]
    filter_horizontal = ["instructors"]
    inlines = [PhaseInline, WeekInline, ResourceSectionInline, ResourceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> list[str]:
        # Who teaches a plan decides who reads its learners' progress: superusers alone choose.
        extra = [] if getattr(request.user, "is_superuser", False) else ["instructors"]
        return [*self.readonly_fields, *extra]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "instructors":
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Plan | None) -> list[type[Any]]:
        # Weeks pick a phase and items pick a section: those must be saved first.
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

    @admin.display(description=_("learners"))
    def cohort_link(self, plan: Plan) -> str:
        if not plan.pk:
            return "—"
        url = reverse("instructor:cohort", args=[plan.slug])
        return format_html('<a href="{}">{}</a>', url, _("Who is on track, who is stuck, where the plan loses people"))


# --- day page: sessions and their tasks together -----------------------------------------------------------


class SessionInline(OrderedTabularInline):
    model = Session
    fields = ["position", "slot", "topic"]
    ordering = ["position"]


class DayTaskInline(ScopedInline):
    model = Task
    verbose_name_plural = _("tasks (for a new session: add it above, save, then its tasks here)")
    scope_lookup = "session__day"
    fields = ["session", "position", "text"]
    ordering = ["session__position", "position"]
    choices_for: Any = {"session": (lambda day: day.sessions.order_by("position"), "sessions")}
    formfield_overrides = TEXT_WIDGET


class DayForm(forms.ModelForm):
    class Meta:
        model = Day
        fields = ["plan", "week", "number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        week = self.fields.get("week")
        if not isinstance(week, forms.ModelChoiceField):
            return
        if self.instance.pk:
            week.queryset = Week.objects.filter(plan_id=self.instance.plan_id).order_by("number")
        else:
            week.queryset = Week.objects.select_related("plan").order_by("plan__title", "number")
            week.label_from_instance = lambda w: f"{w.plan} · {w}"  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        plan_id = cleaned["plan"].pk if cleaned.get("plan") else self.instance.plan_id
        week = cleaned.get("week")
        if week is not None and plan_id is not None and week.plan_id != plan_id:
            self.add_error("week", _("This week belongs to another plan."))
        # The plan is read-only on the change page, so Django's own (plan, number) check skips it.
        number = cleaned.get("number")
        if "plan" not in self.fields and number is not None and plan_id is not None:
            taken = Day.objects.filter(plan_id=plan_id, number=number).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("number", _("Day %(number)s already exists in this plan.") % {"number": number})
        return cleaned


@admin.register(Day)
class DayAdmin(SingleLineFieldsMixin, RefuseProtectedDeletesMixin, admin.ModelAdmin):
    form = DayForm
    list_display = ["number", "week_label", "phase_label", "topics", "task_count", "plan"]
    list_display_links = ["number"]
    list_filter = structure_filters("")
    list_select_related = ["plan", "week__phase"]
    list_per_page = 60
    search_fields = ["sessions__topic", "sessions__tasks__text"]
    ordering = ["plan", "number"]
    inlines = [SessionInline, DayTaskInline]

    def get_inlines(self, request: HttpRequest, obj: Day | None) -> list[type[Any]]:
        # A task picks one of the day's sessions, so the sessions must exist first.
        return list(self.inlines) if obj is not None else [SessionInline]

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


# --- task list: search across the whole plan ---------------------------------------------------------------


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["session", "position", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 90})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.fields.get("session")
        if not isinstance(session, forms.ModelChoiceField):
            return
        sessions = Session.objects.select_related("day__plan").order_by("day__plan__title", "day__number", "position")
        if self.instance.pk:
            # One query for the instance's plan id keeps the list to this plan's sessions.
            sessions = sessions.filter(day__plan=Day.objects.filter(sessions__tasks=self.instance).values("plan")[:1])
        session.queryset = sessions
        session.label_from_instance = lambda s: f"{s.day.plan} · {s.day} · {s}"  # type: ignore[method-assign,assignment]


@admin.register(Task)
class TaskAdmin(SingleLineFieldsMixin, RefuseProtectedDeletesMixin, admin.ModelAdmin):
    form = TaskForm
    list_display = ["text", "day_link", "session_label", "week_label", "plan_label"]
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
    def session_label(self, task: Task) -> str:
        return str(task.session)

    @admin.display(description=_("week"))
    def week_label(self, task: Task) -> str:
        return str(task.session.day.week)

    @admin.display(description=_("plan"))
    def plan_label(self, task: Task) -> str:
        return str(task.session.day.plan)
