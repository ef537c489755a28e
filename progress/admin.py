"""Learner progress, read-only, for instructors: who is enrolled, what they ticked, what they wrote.

Nobody adds or edits these rows here (learners make them on their pages); deleting is left to whoever holds
the delete permission (superusers; the Instructors group does not). The calendar feed token is a secret and
is never shown. Every page makes a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from curriculum.counting import count_subquery
from curriculum.models import Task
from progress.models import DayNote, DeletedLearnerTotals, Enrollment, ReminderDelivery, TaskCompletion
from progress.notes import shared_with_instructors
from progress.reminders.fanout import batched
from progress.reminders.sending import resend


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EnrollmentColumnsMixin:
    """`learner` and `plan` columns for rows that belong to an enrollment (select_related both)."""

    @admin.display(description=_("learner"), ordering="enrollment__user__username")
    def learner(self, obj: TaskCompletion | DayNote | ReminderDelivery) -> str:
        return str(obj.enrollment.user)

    @admin.display(description=_("plan"), ordering="enrollment__plan__title")
    def plan(self, obj: TaskCompletion | DayNote | ReminderDelivery) -> str:
        return str(obj.enrollment.plan)


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "plan", "start_date", "tasks_done", "note_count", "reminders_enabled", "created_at"]
    list_filter = ["plan", "reminders_enabled"]
    list_select_related = ["user", "plan"]
    search_fields = ["user__username", "user__email"]
    date_hierarchy = "start_date"
    fields = (
        "user",
        "plan",
        "start_date",
        "tasks_done",
        "note_count",
        "study_weekdays",
        "time_zone",
        "reminder_time",
        "reminders_enabled",
        "weekend_reminders",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Enrollment]:
        return (
            super()
            .get_queryset(request)
            .select_related("user", "plan")
            .annotate(
                done_total=count_subquery(TaskCompletion.objects.filter(enrollment=OuterRef("pk")), "enrollment"),
                note_total=count_subquery(
                    shared_with_instructors(DayNote.objects.filter(enrollment=OuterRef("pk"))), "enrollment"
                ),
                plan_tasks=count_subquery(
                    Task.objects.filter(session__day__plan=OuterRef("plan")), "session__day__plan"
                ),
            )
        )

    @admin.display(description=_("tasks done"), ordering="done_total")
    def tasks_done(self, enrollment: Any) -> str:
        url = reverse("admin:progress_taskcompletion_changelist")
        label = f"{enrollment.done_total} / {enrollment.plan_tasks}"
        return format_html('<a href="{}?enrollment__id__exact={}">{}</a>', url, enrollment.pk, label)

    @admin.display(description=_("shared notes"), ordering="note_total")
    def note_count(self, enrollment: Any) -> str:
        url = reverse("admin:progress_daynote_changelist")
        return format_html('<a href="{}?enrollment__id__exact={}">{}</a>', url, enrollment.pk, enrollment.note_total)


@admin.register(TaskCompletion)
class TaskCompletionAdmin(EnrollmentColumnsMixin, ReadOnlyAdmin):
    list_display = ["learner", "plan", "day", "task", "completed_at"]
    list_filter = ["enrollment__plan"]
    list_select_related = ["enrollment__user", "enrollment__plan", "task__session__day"]
    search_fields = ["enrollment__user__username", "task__text"]
    date_hierarchy = "completed_at"
    fields = ("enrollment", "task", "completed_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[TaskCompletion]:
        return (
            super().get_queryset(request).select_related("enrollment__user", "enrollment__plan", "task__session__day")
        )

    @admin.display(description=_("day"), ordering="task__session__day__number")
    def day(self, completion: TaskCompletion) -> str:
        return str(completion.task.session.day)


@admin.register(DayNote)
class DayNoteAdmin(EnrollmentColumnsMixin, ReadOnlyAdmin):
    list_display = ["learner", "plan", "day", "excerpt", "version", "updated_at"]
    list_filter = ["enrollment__plan"]
    list_select_related = ["enrollment__user", "enrollment__plan", "day"]
    search_fields = ["enrollment__user__username", "body"]
    fields = ("enrollment", "day", "body", "version", "updated_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[DayNote]:
        # Notes are private: staff read only those their writers shared (progress.notes).
        notes = super().get_queryset(request).select_related("enrollment__user", "enrollment__plan", "day")
        return shared_with_instructors(notes)

    @admin.display(description=_("note"))
    def excerpt(self, note: DayNote) -> str:
        return Truncator(note.body).chars(80)


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(EnrollmentColumnsMixin, admin.ModelAdmin):
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

    @admin.display(description=_("error"))
    def short_error(self, obj: ReminderDelivery) -> str:
        return Truncator(obj.error).chars(80)

    @admin.action(description=_("Send the selected failed reminders again"), permissions=["change"])
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[ReminderDelivery]) -> None:
        ids = list(queryset.filter(status=ReminderDelivery.Status.FAILED).values_list("pk", flat=True))
        count = resend(ids)
        if count:
            from progress.tasks import enqueue_after_commit

            try:
                for batch in batched(ids):
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


@admin.register(DeletedLearnerTotals)
class DeletedLearnerTotalsAdmin(ReadOnlyAdmin):
    """Anonymous counts that deleted accounts leave per plan (progress/account_deletion.py)."""

    list_display = ["plan", "enrollments", "tasks_done"]
    list_select_related = ["plan"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Registered beside the nudges' own code.
from progress.nudges import admin as nudge_admin  # noqa: E402, F401
