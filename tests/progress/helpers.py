"""Helpers for the learner-page tests: the start date, logged-in clients, quick ways to tick tasks, the settings
form, off-site `next` values."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan, Task
from progress.models import Enrollment, LearnerProfile, TaskCompletion

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)  # a Monday

# `next` values that point off this site, in the spellings browsers accept.
OFFSITE = ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "https:evil.example"]


def logged_in(user: User, *, enforce_csrf_checks: bool = False, raise_request_exception: bool = True) -> Client:
    """A test client of its own, logged in as `user`."""
    client = Client(enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=raise_request_exception)
    client.force_login(user)
    return client


def tasks_of(plan: Plan, number: int) -> list[Task]:
    return list(
        Task.objects.filter(session__day__plan=plan, session__day__number=number).order_by(
            "session__position", "position"
        )
    )


def tick(enrollment: Enrollment, *tasks: Task) -> None:
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in tasks)


def tick_days(enrollment: Enrollment, *numbers: int) -> None:
    tick(enrollment, *Task.objects.filter(session__day__plan=enrollment.plan, session__day__number__in=numbers))


def settings_form(enrollment: Enrollment, **overrides: object) -> dict[str, object]:
    """The settings form as the page shows it for `enrollment`, with `overrides` (None leaves a field out,
    as an unticked box or an emptied field does)."""
    profile = LearnerProfile.objects.filter(user=enrollment.user_id).first()
    data: dict[str, object] = {
        "start_date": enrollment.start_date.isoformat(),
        "weekdays": [str(day) for day in sorted(enrollment.weekdays)],
        "time_zone": enrollment.time_zone,
        "reminders_enabled": "on" if enrollment.reminders_enabled else None,
        "reminder_time": enrollment.reminder_time.strftime("%H:%M"),
        "weekend_reminders": "on" if enrollment.weekend_reminders else None,
        "morning_start": enrollment.morning_start.strftime("%H:%M"),
        "morning_end": enrollment.morning_end.strftime("%H:%M"),
        "afternoon_start": enrollment.afternoon_start.strftime("%H:%M"),
        "afternoon_end": enrollment.afternoon_end.strftime("%H:%M"),
        "share_notes": "on" if enrollment.share_notes else None,
        "language": profile.language if profile else settings.LANGUAGE_CODE,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def settings_snapshot(enrollment: Enrollment) -> tuple[object, ...]:
    """Everything the settings form can change on the enrollment, as stored (the time zone first)."""
    enrollment.refresh_from_db()
    return (
        enrollment.time_zone,
        enrollment.start_date,
        enrollment.study_weekdays,
        enrollment.reminders_enabled,
        enrollment.reminder_time,
        enrollment.morning_start,
        enrollment.morning_end,
        enrollment.afternoon_start,
        enrollment.afternoon_end,
    )


def warm(client: Client, url: str) -> str:
    """The page at `url` after it is in the page cache: the first load sets the CSRF cookie its key needs."""
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, url
    return response.content.decode()
