"""The plan's structure: plan > phase > week > day > session > task."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.plaintext import validate_plain_text

if TYPE_CHECKING:  # the through model lives beside the resources; a real import would be circular
    from curriculum.models.resources import Citation, Resource

# Every text an instructor types: no invisible control characters (see curriculum/plaintext.py).
PLAIN = [validate_plain_text]


def new_version() -> str:
    # Random rather than a counter: a plan row saved from a stale in-memory copy writes back an old value,
    # and a counter bumped after that could land on a number whose cached structure is already outdated.
    return secrets.token_hex(8)


class PlanQuerySet(models.QuerySet["Plan"]):
    def published(self) -> PlanQuerySet:
        return self.filter(published=True)

    def get_by_natural_key(self, slug: str) -> Plan:
        return self.get(slug=slug)

    def touch(self, plan_ids: Iterable[int] | None = None) -> int:
        """Give these plans (all in this queryset if None) a new `version`: their content has changed.

        Called in the same transaction as the change, so no reader sees new rows under an old version.
        """
        rows = self if plan_ids is None else self.filter(pk__in=list(plan_ids))
        return rows.update(version=new_version())


# Natural keys (slug, then numbers/positions) let the fixture load without fixed primary keys, so
# `loaddata` never overwrites another plan's rows and loading it twice changes nothing.
class PhaseManager(models.Manager["Phase"]):
    def get_by_natural_key(self, slug: str, number: int) -> Phase:
        return self.get(plan__slug=slug, number=number)


class WeekManager(models.Manager["Week"]):
    def get_by_natural_key(self, slug: str, number: int) -> Week:
        return self.get(plan__slug=slug, number=number)


class SessionManager(models.Manager["Session"]):
    def get_by_natural_key(self, slug: str, day: int, position: int) -> Session:
        return self.get(day__plan__slug=slug, day__number=day, position=position)


class TaskManager(models.Manager["Task"]):
    def get_by_natural_key(self, slug: str, day: int, session: int, position: int) -> Task:
        return self.get(
            session__day__plan__slug=slug, session__day__number=day, session__position=session, position=position
        )


class Plan(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200, validators=PLAIN)
    # The document's overview section: its heading is kept so the export reproduces the document.
    overview_heading = models.CharField(_("overview heading"), max_length=200, default="总体安排", validators=PLAIN)
    summary = models.TextField(_("summary"), blank=True, validators=PLAIN)
    resources_heading = models.CharField(
        _("resources heading"), max_length=200, default="学习资源精选", validators=PLAIN
    )
    published = models.BooleanField(_("published"), default=True)
    # What the plan expects of a study day, compared with the learner's logged study time on the progress
    # page. Not part of the document (its overview says it in prose): instructors set it in the admin.
    study_hours_min = models.PositiveSmallIntegerField(
        _("study hours per day, from"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    study_hours_max = models.PositiveSmallIntegerField(
        _("study hours per day, to"), default=4, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # Changes whenever anything in the plan changes (progress.structure caches the plan under it); set by
    # curriculum.signals for admin edits and by the importer for bulk writes.
    version = models.CharField(max_length=16, default=new_version, editable=False)
    # Who sees this plan's cohort pages (superusers see every plan's); set by superusers in the admin.
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_plans", verbose_name=_("instructors")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        if self.study_hours_min > self.study_hours_max:
            raise ValidationError({"study_hours_max": _("Must be at least the hours it starts from.")})


class Phase(models.Model):
    """A month of the document ("第一个月：基础入门与核心技术" is number 1)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, validators=PLAIN)

    objects = PhaseManager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="phase_unique_number")]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.slug, self.number)

    natural_key.dependencies = ["curriculum.plan"]  # type: ignore[attr-defined]


class Week(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="weeks", verbose_name=_("plan"))
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="weeks", verbose_name=_("phase"))
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Plan-wide week number."))
    title = models.CharField(_("title"), max_length=200, validators=PLAIN)

    objects = WeekManager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="week_unique_number")]
        verbose_name = _("week")
        verbose_name_plural = _("weeks")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.slug, self.number)

    natural_key.dependencies = ["curriculum.phase"]  # type: ignore[attr-defined]


class DayQuerySet(models.QuerySet["Day"]):
    def get_by_natural_key(self, slug: str, number: int) -> Day:
        return self.get(plan__slug=slug, number=number)

    def with_sessions(self) -> DayQuerySet:
        """Days with their sessions and tasks in document order, in three queries whatever the plan's size."""
        return self.select_related("week", "week__phase").prefetch_related(
            models.Prefetch(
                "sessions",
                queryset=Session.objects.order_by("position").prefetch_related(
                    models.Prefetch("tasks", queryset=Task.objects.order_by("position"))
                ),
            )
        )


class Day(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="days", verbose_name=_("plan"))
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="days", verbose_name=_("week"))
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Plan-wide study-day number, from 1."))

    objects = DayQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="day_unique_number")]
        verbose_name = _("day")
        verbose_name_plural = _("days")

    def __str__(self) -> str:
        return str(_("Day %(number)s") % {"number": self.number})

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.slug, self.number)

    natural_key.dependencies = ["curriculum.week"]  # type: ignore[attr-defined]


class Session(models.Model):
    class Slot(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        FULL_DAY = "full_day", _("Full day")

    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("day"))
    slot = models.CharField(_("slot"), max_length=10, choices=Slot.choices)
    topic = models.CharField(_("topic"), max_length=300, validators=PLAIN)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    objects = SessionManager()

    class Meta:
        ordering = ["day", "position"]
        constraints = [models.UniqueConstraint(fields=["day", "position"], name="session_unique_position")]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.get_slot_display()}：{self.topic}"

    def natural_key(self) -> tuple[str, int, int]:
        return (self.day.plan.slug, self.day.number, self.position)

    natural_key.dependencies = ["curriculum.day"]  # type: ignore[attr-defined]


class Task(models.Model):
    """One bullet under a session, verbatim (inline Markdown kept). The unit a learner ticks."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("session"))
    text = models.TextField(_("text"), validators=PLAIN)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    # Which resources the task mentions: found by curriculum.citations at import, editable in the admin.
    resources: models.ManyToManyField[Resource, Citation] = models.ManyToManyField(
        "Resource", through="Citation", related_name="tasks", blank=True, verbose_name=_("cited resources")
    )

    objects = TaskManager()

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="task_unique_position")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str, int, int, int]:
        return (self.session.day.plan.slug, self.session.day.number, self.session.position, self.position)

    natural_key.dependencies = ["curriculum.session"]  # type: ignore[attr-defined]
