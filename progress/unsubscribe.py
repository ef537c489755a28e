"""Unsubscribing from reminder emails: the signed token in each reminder's link, and turning reminders off.

The token is the credential: it names one enrollment and cannot be forged without SECRET_KEY, so the link
works from the mailbox without logging in. The page that reads it is progress.views.unsubscribe.
"""

from __future__ import annotations

from django.core import signing

from progress.models import Enrollment

# Part of every link already mailed: renaming it (even to match this module) would break them all.
UNSUBSCRIBE_SALT = "progress.reminders.unsubscribe"


def unsubscribe_token(enrollment: Enrollment) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(enrollment.pk))


def enrollment_pk_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def enrollment_from_token(token: str) -> Enrollment | None:
    """The enrollment a token names (with what its page shows), or None for a forged or stale token."""
    pk = enrollment_pk_from_token(token)
    if pk is None:
        return None
    return Enrollment.objects.select_related("plan", "user__learner_profile").filter(pk=pk).first()


def turn_off_reminders(enrollment: Enrollment) -> None:
    # An UPDATE, not a read-modify-write: repeating it (providers retry) changes nothing more.
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
