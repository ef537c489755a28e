"""Deleting a learner's account: every row about them goes, their sessions end, and a confirmation is mailed.

What stays: per plan, the anonymous counts in `DeletedLearnerTotals` (how many enrollments and ticks deleted
accounts had), so the instructors' figures stay right without pointing at anybody.

What is refused: deleting while a reminder email to the learner is being sent (a delivery row in "sending",
younger than REMINDER_STALE_SECONDS; an older one belongs to a dead worker and is not waited for). Deleting
its row under the worker would send the learner a reminder after they were told they are gone. The check
is race-free on PostgreSQL: the learner's enrollments are locked first (so no new reminder, tick or note row
can be inserted for them until the deletion commits), then their unfinished delivery rows, which waits for a
worker claiming one at that moment; a claim that comes later finds no row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from progress.models import DeletedLearnerTotals, Enrollment, LearnerProfile, ReminderDelivery, TaskCompletion
from progress.signed_in import sign_out

log = logging.getLogger(__name__)
Status = ReminderDelivery.Status


class DeletionRefused(Exception):
    """Something for this learner is in flight; nothing was changed."""


def delete_account(user: User) -> None:
    """Delete `user` and everything of theirs, keep the anonymous totals, end their sessions, send the email.

    Raises DeletionRefused (and changes nothing) while a reminder to them is being sent.
    """
    address, language = user.email, _language(user)
    with transaction.atomic():
        enrollments = list(Enrollment.objects.select_for_update().filter(user=user).order_by("pk"))
        unfinished = ReminderDelivery.objects.select_for_update().filter(
            enrollment__in=enrollments, status__in=[Status.PENDING, Status.RETRYING, Status.SENDING]
        )
        stale = timezone.now() - timedelta(seconds=settings.REMINDER_STALE_SECONDS)
        if any(d.status == Status.SENDING and d.updated_at >= stale for d in unfinished):
            raise DeletionRefused
        _keep_totals(enrollments)
        sign_out(user)
        user.delete()
    if address:
        transaction.on_commit(lambda: _confirm(address, language))


def _language(user: User) -> str:
    chosen = LearnerProfile.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def _keep_totals(enrollments: list[Enrollment]) -> None:
    ticks = dict(
        TaskCompletion.objects.filter(enrollment__in=enrollments)
        .values_list("enrollment__plan_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment__plan_id", "n")
    )
    for enrollment in enrollments:
        DeletedLearnerTotals.objects.get_or_create(plan_id=enrollment.plan_id)
        DeletedLearnerTotals.objects.filter(plan_id=enrollment.plan_id).update(
            enrollments=F("enrollments") + 1, tasks_done=F("tasks_done") + ticks.get(enrollment.plan_id, 0)
        )


def _confirm(address: str, language: str) -> None:
    """The confirmation email. The account is gone by now, so a mail failure is logged, not raised."""
    with translation.override(language):
        subject = render_to_string("emails/account_deleted_subject.txt").strip()
        body = render_to_string("emails/account_deleted.txt", {"site_url": settings.SITE_URL})
    try:
        send_mail(subject, body, None, [address])
    except Exception:
        log.exception("account deletion confirmation not sent")
