"""Every nudge and each recipient's outcome, read-only; instructors see their own plans' nudges only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from curriculum.counting import count_subquery
from progress.nudges.models import Nudge, NudgeDelivery


class TaughtPlansOnly(admin.ModelAdmin):
    """Read-only rows, limited for everyone but superusers to the plans they teach (through `plan_path`)."""

    plan_path = "plan"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        rows = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return rows
        return rows.filter(**{f"{self.plan_path}__instructors": request.user})


@admin.register(Nudge)
class NudgeAdmin(TaughtPlansOnly):
    list_display = ["subject", "plan", "sender", "created_at", "recipients", "sent"]
    list_filter = ["plan"]
    list_select_related = ["plan", "sender"]
    search_fields = ["subject", "body"]
    fields = readonly_fields = ("plan", "sender", "subject", "body", "created_at")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        deliveries = NudgeDelivery.objects.filter(nudge=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_recipients=count_subquery(deliveries, "nudge"),
                n_sent=count_subquery(deliveries.filter(status=NudgeDelivery.Status.SENT), "nudge"),
            )
        )

    @admin.display(description=_("recipients"), ordering="n_recipients")
    def recipients(self, nudge: Any) -> int:
        return int(nudge.n_recipients)

    @admin.display(description=_("sent"), ordering="n_sent")
    def sent(self, nudge: Any) -> int:
        return int(nudge.n_sent)


@admin.register(NudgeDelivery)
class NudgeDeliveryAdmin(TaughtPlansOnly):
    plan_path = "nudge__plan"
    list_display = ["learner", "nudge", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "nudge__plan"]
    list_select_related = ["enrollment__user", "nudge"]
    search_fields = ["enrollment__user__username", "nudge__subject"]
    readonly_fields = ["nudge", "enrollment", "status", "attempts", "sent_at", "error", "created_at", "updated_at"]

    @admin.display(description=_("learner"), ordering="enrollment__user__username")
    def learner(self, row: NudgeDelivery) -> str:
        return str(row.enrollment.user)

    @admin.display(description=_("error"))
    def short_error(self, row: NudgeDelivery) -> str:
        return Truncator(row.error).chars(80)
