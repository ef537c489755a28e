"""Plan versions: the document after each import, replace, restore or admin change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models.plan import Plan


class PlanVersion(models.Model):
    """The plan's document as it was after one import, replace, restore or admin change, and who made it."""

    class Action(models.TextChoices):
        IMPORT = "import", _("imported from a document")
        REPLACE = "replace", _("replaced from a document")
        RESTORE = "restore", _("restored from an earlier version")
        ADMIN = "admin", _("changed in the admin")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    # Kept when the account goes: the version stays, without its author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    summary = models.TextField(_("what changed"), blank=True)
    # "" when the plan could not be written as a document at that point (see curriculum.history).
    document = models.TextField(_("document"), blank=True)

    class Meta:
        ordering = ["plan", "-created_at", "-pk"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.plan} @ {self.created_at:%Y-%m-%d %H:%M}"
