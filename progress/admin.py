from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from progress import reminders
from progress.models import ReminderDelivery


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    """Every reminder's outcome, read-only: rows are written by the sender, never by hand."""

    list_display = ["learner", "plan", "local_date", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "local_date", "enrollment__plan"]
    search_fields = ["enrollment__user__username", "enrollment__user__email"]
    date_hierarchy = "local_date"
    # One query for the page, whatever its length.
    list_select_related = ["enrollment__user", "enrollment__plan"]
    readonly_fields = ["enrollment", "local_date", "status", "attempts", "sent_at", "error", "created_at", "updated_at"]
    actions = ["resend_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReminderDelivery | None = None) -> bool:
        return False

    @admin.display(description=_("learner"), ordering="enrollment__user__username")
    def learner(self, obj: ReminderDelivery) -> str:
        return str(obj.enrollment.user)

    @admin.display(description=_("plan"), ordering="enrollment__plan__title")
    def plan(self, obj: ReminderDelivery) -> str:
        return str(obj.enrollment.plan)

    @admin.display(description=_("error"))
    def short_error(self, obj: ReminderDelivery) -> str:
        return obj.error if len(obj.error) <= 80 else obj.error[:79] + "…"

    @admin.action(description=_("Send the selected failed reminders again"), permissions=["change"])
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[ReminderDelivery]) -> None:
        ids = list(queryset.filter(status=ReminderDelivery.Status.FAILED).values_list("pk", flat=True))
        count = reminders.resend(ids)
        if count:
            from progress.tasks import enqueue_after_commit

            try:
                for batch in reminders.batched(ids):
                    enqueue_after_commit(batch)
            except Exception:  # the broker may be down: the next fan-out's sweep picks pending rows up
                self.message_user(request, _("Queued; the worker will pick them up shortly."), messages.WARNING)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed reminder will be sent again.", "%(count)d failed reminders will be sent again.", count
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
