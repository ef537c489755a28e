"""The rows of a nudge: the message once, and one delivery row per recipient, claimed before it is sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan

# progress.models imports this module at its end, once ReminderDelivery exists (Django loads it first).
from progress.models import ReminderDelivery


class Nudge(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nudges", verbose_name=_("plan"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sender")
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), help_text=_("Markdown."))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        app_label = "progress"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender", "created_at"], name="nudge_sender_time_idx")]
        verbose_name = _("nudge")
        verbose_name_plural = _("nudges")

    def __str__(self) -> str:
        return self.subject


class NudgeDelivery(models.Model):
    """One recipient of a nudge, with the same states as a reminder's delivery row."""

    # The reminders' states, so the sending code and the admin read both kinds of row alike.
    Status = ReminderDelivery.Status

    # No index of its own: the unique (nudge, enrollment) index leads with it.
    nudge = models.ForeignKey(
        Nudge, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("nudge"), db_index=False
    )
    enrollment = models.ForeignKey(
        "progress.Enrollment", on_delete=models.CASCADE, related_name="nudges", verbose_name=_("enrollment")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "progress"
        ordering = ["nudge", "id"]
        constraints = [models.UniqueConstraint(fields=["nudge", "enrollment"], name="nudge_unique_recipient")]
        verbose_name = _("nudge delivery")
        verbose_name_plural = _("nudge deliveries")

    def __str__(self) -> str:
        return f"{self.nudge} · {self.enrollment} · {self.status}"
