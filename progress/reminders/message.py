"""The reminder email: what it says (the Today page's facts plus the reminder's kind) and how it is built.

Rendered in the learner's language from templates/emails/reminder_subject.txt, reminder.txt and
reminder.html, with a one-click List-Unsubscribe link (RFC 8058) signed by progress.unsubscribe.
"""

from __future__ import annotations

import email.policy
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from progress.language import learner_language
from progress.links import absolute_url
from progress.models import Enrollment
from progress.reminders.due import Kind, reminder_kind
from progress.reminders.interleave import finish
from progress.review import week_to_review
from progress.schedule import off_on
from progress.services import Agenda, agenda, overview
from progress.unsubscribe import unsubscribe_token


class NothingToSend(Exception):
    """The learner no longer wants or needs this reminder (turned off, finished, paused or a day off since
    the claim, or nothing to remind of on that date)."""


@dataclass(frozen=True)
class Reminder:
    """One reminder email: which kind it is, on top of exactly what the Today page shows.

    The facts (today's sessions and tasks, the review day's open tasks, overdue tasks, progress, days behind)
    come from services.agenda(), the function the Today page renders, so the two cannot disagree; only the
    kind (study day, review day, or the eve of the start: "tomorrow you begin") is the email's own."""

    kind: Kind
    agenda: Agenda


def reminder_for(enrollment: Enrollment, today: date, ticked: frozenset[int] | None = None) -> Reminder:
    """The reminder for the learner's local date `today`, or NothingToSend when they get none that day.

    Skips the same learners who_is_due() skips (finished, paused, on a day off, outside the plan), checked
    again here because a batch may run (or retry) well after the fan-out decided. `ticked`: the learner's
    ticked task ids when the caller loaded them (with the schedule rows in the enrollment's prefetch cache)."""
    if not enrollment.reminders_enabled:
        raise NothingToSend("reminders were turned off")
    facts = agenda(enrollment, today, overview(enrollment, today, ticked))
    finished = facts.overview.finished
    # Paused as every page says it (services.Overview.paused), so the email never disagrees with Today.
    paused = facts.overview.paused
    day_off = off_on(enrollment.schedule_input(total_days=0).days_off, today)
    review_days = enrollment.weekend_reminders
    kind = reminder_kind(
        facts.overview.schedule, today, finished=finished, paused=paused, day_off=day_off, review_days=review_days
    )
    if kind is None:
        # Said in the delivery's error column, so an instructor sees why a claimed reminder was skipped.
        why = (
            "the plan is finished"
            if finished
            else "the plan is paused"
            if paused
            else "a day off"
            if day_off
            else "weekend reminders are off"
            if reminder_kind(facts.overview.schedule, today, finished=False) == Kind.REVIEW
            else "outside the plan's days"
        )
        raise NothingToSend(f"no reminder on this date: {why}")
    return Reminder(kind, facts)


class ReminderEmail(EmailMultiAlternatives):
    """Keeps each header on one line (up to RFC 5322's 998 characters).

    Python's default policy folds at 78 characters and turns a long unbreakable token, such as the
    unsubscribe URL, into RFC 2047 encoded-words, which mail providers do not read in List-Unsubscribe."""

    def message(self, *, policy: email.policy.Policy | None = None) -> Any:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


def unsubscribe_headers(enrollment: Enrollment) -> tuple[str, dict[str, str]]:
    """The learner's one-click unsubscribe URL, and the headers every email to them carries."""
    url = absolute_url(reverse("progress:unsubscribe", args=[unsubscribe_token(enrollment)]))
    headers = {
        "List-Unsubscribe": f"<{url}>",
        # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to the URL, without cookies.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return url, headers


def review_url(facts: Agenda, memo: dict[Any, str] | None = None) -> str:
    """The review page of the week just studied, by number: a link read on Monday still opens that week."""
    week = week_to_review(facts.overview)
    return _once(memo, ("review_url", week), lambda: absolute_url(reverse("progress:review", args=[week])))


def _once(memo: dict[Any, str] | None, key: tuple[Any, ...], make: Callable[[], str]) -> str:
    """`make()`, computed once per batch when the batch keeps a memo (progress.reminders.batch)."""
    if memo is None:
        return make()
    found = memo.get(key)
    if found is None:
        found = memo[key] = make()
    return found


def build_message(
    enrollment: Enrollment,
    today: date,
    ticked: frozenset[int] | None = None,
    *,
    test: bool = False,
    memo: dict[Any, str] | None = None,
) -> EmailMultiAlternatives:
    """The reminder for `today` (the learner's local date), in their language, text and HTML; `test` marks
    the copy a learner asks for on the settings page (progress.reminders.on_demand). `ticked`: the learner's
    ticked task ids when a batch loaded them (progress.reminders.batch); `memo`: the batch's parts already
    rendered (progress.templatetags.email_memo)."""
    return finish(build_steps(enrollment, today, ticked, test=test, memo=memo))


def build_steps(
    enrollment: Enrollment,
    today: date,
    ticked: frozenset[int] | None = None,
    *,
    test: bool = False,
    memo: dict[Any, str] | None = None,
) -> Generator[None, None, EmailMultiAlternatives]:
    """`build_message` in a few steps of about equal work, pausing (yielding) between them and returning the
    message: a batch runs them while the SMTP server answers the email before (progress.reminders.interleave).
    Each step sets the learner's language for itself, so none is left active while paused."""
    reminder = reminder_for(enrollment, today, ticked)
    day = reminder.agenda.day
    done = reminder.agenda.done_task_ids
    unsubscribe_url, headers = unsubscribe_headers(enrollment)
    with translation.override(learner_language(enrollment)):
        language = translation.get_language()
    context = {
        "kind": reminder.kind,
        "agenda": reminder.agenda,
        "enrollment": enrollment,
        "ov": reminder.agenda.overview,
        "user": enrollment.user,
        "today": today,
        "today_url": _once(memo, ("today_url",), lambda: absolute_url(reverse("progress:today"))),
        "review_url": review_url(reminder.agenda, memo),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
        "language": language,
        "test": test,
        "memo": memo,
        # The ticks the day's part shows: its key in the memo.
        "day_ticked": frozenset(t.pk for t in day.tasks if t.pk in done) if day is not None else frozenset(),
    }
    yield
    with translation.override(language):
        subject = " ".join(render_to_string("emails/reminder_subject.txt", context).split())
        text = render_to_string("emails/reminder.txt", context)
    yield
    with translation.override(language):
        html = render_to_string("emails/reminder.html", context)
    message = ReminderEmail(
        subject=subject,
        body=text,
        to=[enrollment.user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
