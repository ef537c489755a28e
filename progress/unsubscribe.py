"""Unsubscribing from reminder emails: the signed token in each reminder's link, and turning reminders off.

The token is the credential: it names one enrollment and cannot be forged without SECRET_KEY, so the link
works from the mailbox without logging in. It also carries the enrollment's unsubscribe generation, which
counts up whenever the learner turns reminders back on: links mailed before that are then expired, so an old
email (or whoever has it) cannot silently end the renewed subscription. The page that reads it is
progress.views.unsubscribe.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from progress.models import Enrollment

# The token's purpose, and part of every link already mailed: renaming it would break them all.
UNSUBSCRIBE_SALT = "progress.reminders.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeLink:
    """What a token names: the enrollment, and whether the link predates the current subscription."""

    enrollment: Enrollment
    expired: bool


def unsubscribe_token(enrollment: Enrollment) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{enrollment.pk}.{enrollment.unsubscribe_generation}")


def _read(token: str) -> tuple[int, int] | None:
    """(enrollment pk, generation) from a genuine token; links from before generations read as generation 0."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        pk, _, generation = value.partition(".")
        return int(pk), int(generation or 0)
    except (signing.BadSignature, ValueError):
        return None


def enrollment_pk_from_token(token: str) -> int | None:
    read = _read(token)
    return None if read is None else read[0]


def read_unsubscribe_link(token: str) -> UnsubscribeLink | None:
    """The link a token stands for (with what its page shows), or None for a forged token or a deleted enrollment."""
    read = _read(token)
    if read is None:
        return None
    pk, generation = read
    enrollment = Enrollment.objects.select_related("plan", "user__learner_profile").filter(pk=pk).first()
    if enrollment is None:
        return None
    return UnsubscribeLink(enrollment, expired=generation != enrollment.unsubscribe_generation)


def turn_off_reminders(enrollment: Enrollment) -> None:
    # An UPDATE, not a read-modify-write: repeating it (providers retry) changes nothing more.
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
