"""Making a nudge and sending it: the reminders' sending rules (progress.reminders.sending) over nudge rows.

Throttled twice: a learner gets at most one nudge per plan in NUDGE_QUIET_HOURS (later ones are recorded as
skipped, with the reason), and an instructor sends at most NUDGE_MAX_PER_HOUR nudges an hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from curriculum.models import Plan
from progress.compiled import among
from progress.models import Enrollment
from progress.nudges.message import build_nudge
from progress.nudges.models import Nudge, NudgeDelivery
from progress.reminders.fanout import batched
from progress.reminders.sending import Outbox

Status = NudgeDelivery.Status


def _load(ids: Sequence[int]) -> dict[int, NudgeDelivery]:
    rows = NudgeDelivery.objects.filter(pk__in=among(ids)).select_related(
        "nudge", "enrollment__plan", "enrollment__user__learner_profile"
    )
    return {d.pk: d for d in rows}


NUDGES = Outbox(NudgeDelivery, _load, build_nudge, "nudge", lambda d: {"nudge": d.nudge_id})


def may_send(sender: User) -> bool:
    """Whether `sender` is under NUDGE_MAX_PER_HOUR nudges in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    return Nudge.objects.filter(sender=sender, created_at__gte=since).count() < settings.NUDGE_MAX_PER_HOUR


@dataclass(frozen=True)
class Made:
    nudge: Nudge
    queued: int  # rows handed to Celery (their outcome is in the admin)
    skipped: int  # rows recorded as skipped at once


def create_nudge(plan: Plan, sender: User, subject: str, body: str, enrollment_ids: Sequence[int]) -> Made:
    """The nudge and one delivery row per recipient (learners of `plan` only), enqueued after commit.

    Learners who turned emails off, or were nudged on this plan in the last NUDGE_QUIET_HOURS, get a row
    that says so (skipped), so the admin's log shows why they were not emailed.
    """
    from progress.tasks import enqueue_nudges_after_commit  # tasks imports the sending code, not the other way

    recipients = list(Enrollment.objects.filter(plan=plan, pk__in=list(enrollment_ids)).order_by("pk"))
    quiet_since = timezone.now() - timedelta(hours=settings.NUDGE_QUIET_HOURS)
    recent = set(
        NudgeDelivery.objects.filter(
            enrollment__in=recipients, nudge__plan=plan, status=Status.SENT, sent_at__gte=quiet_since
        ).values_list("enrollment_id", flat=True)
    )
    with transaction.atomic():
        nudge = Nudge.objects.create(plan=plan, sender=sender, subject=subject, body=body)
        rows = NudgeDelivery.objects.bulk_create(_row(nudge, e, recent) for e in recipients)
        pending = [r.pk for r in rows if r.status == Status.PENDING]
        for batch in batched(pending):
            enqueue_nudges_after_commit(batch)
    return Made(nudge, len(pending), len(rows) - len(pending))


def _row(nudge: Nudge, enrollment: Enrollment, recent: set[int]) -> NudgeDelivery:
    if not enrollment.reminders_enabled:
        return NudgeDelivery(nudge=nudge, enrollment=enrollment, status=Status.SKIPPED, error="emails turned off")
    if enrollment.pk in recent:
        error = f"already nudged in the last {settings.NUDGE_QUIET_HOURS} hours"
        return NudgeDelivery(nudge=nudge, enrollment=enrollment, status=Status.SKIPPED, error=error)
    return NudgeDelivery(nudge=nudge, enrollment=enrollment)
