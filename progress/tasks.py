"""Celery tasks: thin wrappers that take ids and call progress.reminders, where the logic and its tests live."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import date

from celery import shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError, transaction
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from progress.account_mail import send_password_reset_mail, send_sign_up_mail
from progress.nudges.sending import NUDGES
from progress.reminders import on_demand
from progress.reminders.due import reminded_plans
from progress.reminders.fanout import fan_out
from progress.reminders.sending import BatchResult, send_batch
from progress.structure import LOCAL_SIZE, structure_for

log = logging.getLogger(__name__)

REMINDER_TEMPLATES = ("emails/reminder_subject.txt", "emails/reminder.txt", "emails/reminder.html")


@worker_process_init.connect(dispatch_uid="progress.tasks.warm_up")
def warm_up(**kwargs: object) -> None:
    """Import the URL conf (every email's links), compile the reminder templates and have the structures of
    the plans learners are reminded of when a worker process starts, not inside its first fan-out or batch: on
    a busy machine that first import took seconds, and building a plan's structure takes a tenth of one."""
    get_resolver().url_patterns  # noqa: B018 - the property imports every URL module
    for name in REMINDER_TEMPLATES:
        get_template(name)
    try:
        for plan in reminded_plans()[:LOCAL_SIZE]:
            structure_for(plan)
    except DatabaseError:
        # A database not there yet (a worker started before it) is the first task's to report, not the start's.
        log.warning("plan structures not built at worker start", exc_info=True)


def enqueue_batch(ids: list[int], countdown: float | None = None) -> None:
    if countdown:
        send_reminder_batch.apply_async((ids,), countdown=countdown)
    else:
        send_reminder_batch.apply_async((ids,))


def enqueue_after_commit(ids: list[int]) -> None:
    """Enqueue once the surrounding transaction commits, so the worker finds the rows it is sent."""
    transaction.on_commit(lambda: enqueue_batch(list(ids)))


@shared_task(name="progress.tasks.fan_out_reminders", ignore_result=True)
def fan_out_reminders() -> int:
    """Run by beat every REMINDER_FANOUT_SECONDS: claim rows for whoever is due, enqueue batches after commit."""
    result = fan_out(enqueue=enqueue_batch)
    log.info(
        "reminders fan-out: %s claimed, %s re-enqueued, %s batches", result.claimed, result.swept, len(result.batches)
    )
    return result.claimed


def _again(result: BatchResult, enqueue: Callable[[list[int], float | None], None]) -> None:
    """Transient failures come back as a delayed batch of their own; rows sent elsewhere are looked at again."""
    if result.retry:
        enqueue(result.retry, result.retry_delay)
    if result.recheck:
        enqueue(result.recheck, result.recheck_delay)


@shared_task(name="progress.tasks.send_reminder_batch", ignore_result=True)
def send_reminder_batch(delivery_ids: list[int]) -> int:
    """Send one batch over one SMTP connection; transient failures come back as a delayed batch of their own."""
    result = send_batch(delivery_ids)
    _again(result, enqueue_batch)
    log.info(
        "reminder batch: %s sent, %s failed, %s retrying in %.1fs, %s skipped",
        len(result.sent),
        len(result.failed),
        len(result.retry),
        result.retry_delay,
        len(result.skipped),
    )
    return len(result.sent)


def enqueue_nudge_batch(ids: list[int], countdown: float | None = None) -> None:
    if countdown:
        send_nudge_batch.apply_async((ids,), countdown=countdown)
    else:
        send_nudge_batch.apply_async((ids,))


def enqueue_nudges_after_commit(ids: list[int]) -> None:
    transaction.on_commit(lambda: enqueue_nudge_batch(list(ids)))


@shared_task(name="progress.tasks.send_nudge_batch", ignore_result=True)
def send_nudge_batch(delivery_ids: list[int]) -> int:
    """Send one batch of a nudge, by the reminders' rules (progress.nudges)."""
    result = send_batch(delivery_ids, box=NUDGES)
    _again(result, enqueue_nudge_batch)
    log.info("nudge batch: %s sent, %s failed, %s retrying", len(result.sent), len(result.failed), len(result.retry))
    return len(result.sent)


@shared_task(name="progress.tasks.send_password_reset", ignore_result=True)
def send_password_reset(email: str, language: str) -> None:
    """The password-reset email for `email`, if an account has it, in the language the visitor asked in."""
    with translation.override(language):
        send_password_reset_mail(email)


@shared_task(name="progress.tasks.send_sign_up", ignore_result=True)
def send_sign_up(email: str, language: str) -> None:
    """The sign-up email for `email`: a confirmation link, or "you already have an account"."""
    with translation.override(language):
        send_sign_up_mail(email)


@shared_task(
    name="progress.tasks.send_test_reminder",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError),
    retry_backoff=30,
    max_retries=3,
)
def send_test_reminder(enrollment_id: int, local_date: str) -> bool:
    """The test reminder a learner asked for on the settings page (never a daily delivery row)."""
    return on_demand.send_test_reminder(enrollment_id, date.fromisoformat(local_date))
