"""Account bookkeeping: where a learner is signed in, and what deleted accounts leave for instructors.

Imported by `progress.models` so Django registers them with this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan


class UserSession(models.Model):
    """One browser a learner is signed in on, keyed by its session key (see progress/signed_in.py).

    Django's session rows cannot be listed per user without decoding every session of every user, and they
    hold no user agent or last-seen time; this small table, written at log-in and touched at most once a
    minute, answers "where am I signed in" with one indexed query, whichever database-backed session
    engine is configured; the project's engine (progress/sessions.py) also reads a session's user through it.
    """

    session_key = models.CharField(max_length=40, primary_key=True)
    # No index of its own: the (user, last seen) index leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions", db_index=False
    )
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen"], name="user_session_user_idx")]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.last_seen:%Y-%m-%d %H:%M}"


class DeletedLearnerTotals(models.Model):
    """What deleted accounts leave behind for instructors: per plan, how many enrollments and ticks they had.

    Only counts, never a user, a date or a task: the figures "how many people took this plan" and "how much
    was done" stay right after learners delete their accounts, and nothing in them points back to anyone.
    """

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="deleted_learner_totals", verbose_name=_("plan")
    )
    enrollments = models.PositiveIntegerField(_("enrollments"), default=0)
    tasks_done = models.PositiveIntegerField(_("tasks done"), default=0)

    class Meta:
        verbose_name = _("deleted learners' totals")
        verbose_name_plural = _("deleted learners' totals")

    def __str__(self) -> str:
        return str(self.plan_id)
