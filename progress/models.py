"""The learner's side: enrollment, ticks, notes, reminders and schedule changes.

Dates are never stored per plan day: the calendar is derived by `progress.schedule` from the enrollment's
start date, weekdays and the schedule-change rows below, so a reschedule is a new row, not a rewrite.
"""

from __future__ import annotations

import secrets
from datetime import date, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from curriculum.models import Day, Plan, Task
from progress.reminders import next_at
from progress.schedule import Change, Schedule, ScheduleInput
from progress.zones import DEFAULT_TIME_ZONE, load_zone

# Monday..Friday as a bitmask over date.weekday() (Monday = bit 0): compact, indexable, one column.
WEEKDAYS_MON_FRI = 0b0011111


def new_calendar_token() -> str:
    # 24 random bytes = 192 bits, above the 128 the feed needs to be unguessable.
    return secrets.token_urlsafe(24)


def validate_time_zone(value: str) -> None:
    if load_zone(value) is None:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_weekdays(value: int) -> None:
    if not 0 < value < 128:
        raise ValidationError(_("Choose at least one study weekday."))


class LearnerProfile(models.Model):
    """Per-person preferences that are not tied to one plan."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    active_enrollment = models.ForeignKey(
        "Enrollment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.user)


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def lock(self, enrollment: Enrollment) -> Enrollment:
        """Lock `enrollment`'s row until the transaction ends and return it read afresh.

        Every schedule change (reschedule, undo, days off, pause, resume) reads the learner's state, checks it
        and writes a row: the lock serialises them per learner, so two clicks at once cannot both pass the
        check. `of=("self",)` keeps the lock on this one row, never the plan's, which all learners share.
        """
        return self.select_for_update(of=("self",)).get(pk=enrollment.pk)


class Enrollment(models.Model):
    # No index of its own: the unique (user, plan) index leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("learner"),
        db_index=False,
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("plan"))
    start_date = models.DateField(_("start date"))
    study_weekdays = models.PositiveSmallIntegerField(
        _("study weekdays"),
        default=WEEKDAYS_MON_FRI,
        validators=[validate_weekdays],
        help_text=_("Bitmask over weekdays, Monday = 1, Tuesday = 2, ... Sunday = 64."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    reminder_time = models.TimeField(_("reminder time"), default=time(8, 0))
    reminders_enabled = models.BooleanField(_("daily reminder email"), default=True)
    # On review days (weekends for a Monday-to-Friday learner) the reminder points to the week's review page;
    # off: no reminder on those days at all (progress.reminders.due.reminder_kind).
    weekend_reminders = models.BooleanField(_("reminders on review days"), default=True)
    # Part of every unsubscribe link (progress.unsubscribe); counting up when reminders are turned back on
    # makes the links in earlier emails expire, so an old email cannot switch off the renewed subscription.
    unsubscribe_generation = models.PositiveIntegerField(default=0, editable=False)
    # Notes are private: instructors read one only if it is shared, one by one (DayNote.shared) or all here.
    share_notes = models.BooleanField(_("share all my notes with the plan's instructors"), default=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    # Study hours used for the calendar feed's events, in the learner's time zone.
    morning_start = models.TimeField(_("morning starts"), default=time(9, 0))
    morning_end = models.TimeField(_("morning ends"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon starts"), default=time(14, 0))
    afternoon_end = models.TimeField(_("afternoon ends"), default=time(17, 0))
    created_at = models.DateTimeField(auto_now_add=True)
    # Counts up on every write to this enrollment or to any row of the learner's state (ticks, notes, schedule
    # changes, days off, study time, the timer, companion rows). Kept by database triggers (progress.triggers),
    # so no write path, bulk update or raw SQL can miss it: the learner pages are cached by it
    # (progress.page_cache) and a warm page need not read the state at all.
    state_version = models.BigIntegerField(default=0, editable=False)
    # A lower bound of the next instant a reminder can be due, NULL when unknown: the fan-out reads only the
    # enrollments whose instant has passed (progress.reminders.next_at says who keeps it right).
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "plan"], name="enrollment_unique_user_plan")]
        indexes = [
            models.Index(fields=["reminders_enabled", "time_zone"], name="enrollment_reminders_idx"),
            models.Index(
                fields=["next_reminder_at"], name="enrollment_next_reminder_idx", condition=Q(reminders_enabled=True)
            ),
        ]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")

    def __str__(self) -> str:
        return f"{self.user} · {self.plan}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Writing a field the next reminder instant depends on recomputes it in the same statement."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or next_at.FIELDS & set(update_fields):
            # to_python: a create() may be given "2026-01-05" or "08:00" rather than a date and a time.
            start = models.DateField().to_python(self.start_date)
            at = models.TimeField().to_python(self.reminder_time)
            self.next_reminder_at = (
                None if start is None or at is None else next_at.for_saved_fields(self.time_zone, at, start)
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "next_reminder_at"}
        super().save(*args, **kwargs)

    @property
    def weekdays(self) -> frozenset[int]:
        """Study weekdays as date.weekday() numbers (Monday = 0)."""
        return frozenset(i for i in range(7) if self.study_weekdays & (1 << i))

    def schedule_input(self, total_days: int, today: date | None = None) -> ScheduleInput:
        """The plain values `progress.schedule` needs; reads `.all()` so callers can prefetch.

        `today` (the learner's local date) only matters while paused: see progress.schedule. An unsaved
        enrollment (an instructor's preview, progress.preview) has no history, and Django refuses to read
        related rows of an unsaved instance.
        """
        if self.pk is None:
            return ScheduleInput(self.start_date, self.weekdays, total_days, (), (), today)
        # A reminder batch reads many learners' rows in one query and leaves each one's here, as plain values
        # (progress.reminders.learners): cheaper than a prefetched queryset per learner.
        loaded: tuple[tuple[Change, ...], tuple[tuple[date, date], ...]] | None = self.__dict__.get("loaded_schedule")
        if loaded is not None:
            return ScheduleInput(self.start_date, self.weekdays, total_days, loaded[0], loaded[1], today)
        changes = tuple(
            Change(c.kind, c.from_day, c.on_date) for c in self.schedule_changes.all() if c.undone_at is None
        )
        days_off = tuple((o.start_date, o.end_date) for o in self.days_off.all())
        return ScheduleInput(self.start_date, self.weekdays, total_days, changes, days_off, today)

    def schedule(self, total_days: int, today: date | None = None) -> Schedule:
        return Schedule.build(self.schedule_input(total_days, today))


class TaskCompletion(models.Model):
    """A ticked task. Done means the row exists; unticking deletes it."""

    # No index of its own: the unique (enrollment, task) index leads with it, and a second would only cost writes
    # and space (the largest table of all).
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="completions", verbose_name=_("enrollment"), db_index=False
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="completions", verbose_name=_("task"))
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "task"], name="completion_unique_task")]
        indexes = [models.Index(fields=["enrollment", "completed_at"], name="completion_enrollment_time_idx")]
        verbose_name = _("task completion")
        verbose_name_plural = _("task completions")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.task_id}"


class DayNote(models.Model):
    # No index of its own: the unique (enrollment, day) index leads with it.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="notes", verbose_name=_("enrollment"), db_index=False
    )
    day = models.ForeignKey(Day, on_delete=models.PROTECT, related_name="notes", verbose_name=_("day"))
    body = models.TextField(_("note"), blank=True, help_text=_("Markdown."))
    shared = models.BooleanField(_("shared with instructors"), default=False)
    # Optimistic locking: a save names the version it edited; an older version is refused, not overwritten.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "day"], name="note_unique_day")]
        verbose_name = _("day note")
        verbose_name_plural = _("day notes")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.day}"


class ReminderDelivery(models.Model):
    """One reminder per enrollment per local date: the row is claimed before the email is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        RETRYING = "retrying", _("retrying")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    # No index of its own: the unique (enrollment, local date) index leads with it.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("enrollment"), db_index=False
    )
    local_date = models.DateField(_("local date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-local_date", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "local_date"], name="reminder_unique_local_date")]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="reminder_status_idx"),
            # The fan-out's "no row yet for this local date": one date's rows, read from the index alone.
            models.Index(fields=["local_date", "enrollment"], name="reminder_date_idx"),
        ]
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.local_date} · {self.status}"


class ScheduleChange(models.Model):
    """A change to how the plan is laid on dates. Rows are never edited; undo marks `undone_at`.

    - SHIFT: plan day `from_day` and everything after move so that `from_day` falls on `on_date`
      (or the next study day).
    - CATCH_UP: from `on_date`, non-study weekdays (weekends) count as study days until the schedule is
      back on its earlier dates.
    - PAUSE / RESUME: no study day falls between a PAUSE's `on_date` and the next RESUME's `on_date`.
    - START: the start date was moved to `on_date` (kept for history; Enrollment.start_date holds the value).
    """

    class Kind(models.TextChoices):
        SHIFT = "shift", _("shift the rest of the plan")
        CATCH_UP = "catch_up", _("catch up on review days")
        PAUSE = "pause", _("pause")
        RESUME = "resume", _("resume")
        START = "start", _("start date moved")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="schedule_changes", verbose_name=_("enrollment")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_day = models.PositiveSmallIntegerField(default=1)
    on_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.on_date}"


class DayOff(models.Model):
    """A range of dates (inclusive) on which the learner does not study; study days move past it."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="days_off", verbose_name=_("enrollment")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="day_off_range_order")
        ]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")

    def __str__(self) -> str:
        return f"{self.start_date} – {self.end_date}"


# Defined in modules of their own (or beside the code that sends them); imported here so Django registers them
# with this app.
from progress.models_accounts import DeletedLearnerTotals, UserSession  # noqa: E402
from progress.models_companion import ResourceProgress, WeekNote  # noqa: E402
from progress.models_time import StudyTime, StudyTimer  # noqa: E402
from progress.nudges.models import Nudge, NudgeDelivery  # noqa: E402

__all__ = [
    "DayNote",
    "DayOff",
    "DeletedLearnerTotals",
    "Enrollment",
    "LearnerProfile",
    "Nudge",
    "NudgeDelivery",
    "ReminderDelivery",
    "ResourceProgress",
    "ScheduleChange",
    "StudyTime",
    "StudyTimer",
    "TaskCompletion",
    "UserSession",
    "WeekNote",
]
