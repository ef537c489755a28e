"""The study companion's learner rows: a status and note per resource item, a reflection per week.

Imported by `progress.models` so Django registers them with this app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models import Resource, Week


class ResourceProgress(models.Model):
    """A learner's status and private note on one resource item (a paper, a tool, a tip)."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    # No index of its own: the unique (enrollment, resource) index leads with it.
    enrollment = models.ForeignKey(
        "progress.Enrollment",
        on_delete=models.CASCADE,
        related_name="resource_progress",
        verbose_name=_("enrollment"),
        db_index=False,
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="learner_progress", verbose_name=_("resource")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.TODO)
    body = models.TextField(_("note"), blank=True, help_text=_("Markdown."))
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as DayNote
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "resource"], name="resource_progress_unique")]
        verbose_name = _("resource progress")
        verbose_name_plural = _("resource progress")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.resource_id} · {self.status}"


class WeekNote(models.Model):
    """The weekly reflection a learner writes on the weekend review page."""

    # No index of its own: the unique (enrollment, week) index leads with it.
    enrollment = models.ForeignKey(
        "progress.Enrollment",
        on_delete=models.CASCADE,
        related_name="week_notes",
        verbose_name=_("enrollment"),
        db_index=False,
    )
    week = models.ForeignKey(Week, on_delete=models.PROTECT, related_name="notes", verbose_name=_("week"))
    body = models.TextField(_("note"), blank=True, help_text=_("Markdown."))
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as DayNote
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "week"], name="week_note_unique_week")]
        verbose_name = _("week note")
        verbose_name_plural = _("week notes")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.week}"
