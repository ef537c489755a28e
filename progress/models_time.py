"""Study time: minutes logged per plan day, and the one timer a learner may have running.

Imported by `progress.models` so Django registers them with this app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models import Day
from progress.study_hours import MAX_DAY_MINUTES


class StudyTime(models.Model):
    """How long a learner studied for one plan day, as the day's total (logging adds to it, correcting sets it)."""

    # No index of its own: the unique (enrollment, day) index leads with it.
    enrollment = models.ForeignKey(
        "progress.Enrollment",
        on_delete=models.CASCADE,
        related_name="study_times",
        verbose_name=_("enrollment"),
        db_index=False,
    )
    day = models.ForeignKey(Day, on_delete=models.PROTECT, related_name="study_times", verbose_name=_("day"))
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MaxValueValidator(MAX_DAY_MINUTES)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "day"], name="study_time_unique_day"),
            models.CheckConstraint(condition=models.Q(minutes__lte=MAX_DAY_MINUTES), name="study_time_max_day"),
        ]
        verbose_name = _("study time")
        verbose_name_plural = _("study times")

    def __str__(self) -> str:
        return f"{self.enrollment} · {self.day} · {self.minutes} min"


class StudyTimer(models.Model):
    """A running timer. The start is stored, not counted in the browser, so it survives reloads and devices;
    one per learner (the user, whichever plan it runs for), so time is never counted twice."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_timer")
    enrollment = models.ForeignKey(
        "progress.Enrollment", on_delete=models.CASCADE, related_name="study_timers", verbose_name=_("enrollment")
    )
    day = models.ForeignKey(Day, on_delete=models.PROTECT, related_name="study_timers", verbose_name=_("day"))
    started_at = models.DateTimeField(_("started at"))

    class Meta:
        verbose_name = _("study timer")
        verbose_name_plural = _("study timers")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.day} · {self.started_at:%Y-%m-%d %H:%M}"
