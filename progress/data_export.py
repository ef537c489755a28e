"""Everything the app stores about one learner, as one ZIP: notes as Markdown, the rest as JSON.

`data.zip` holds `README.txt`, `account.json` (account and per-plan settings), and per enrollment (one
folder per plan slug) `notes.md`, `ticks.json`, `study_time.json`, `schedule_changes.json`, `days_off.json`
and `reminders.json`. A fixed number of queries per enrollment; rows are read with `values()`, never rendered
through templates, so the files hold exactly what is stored.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone

from progress.models import (
    DayOff,
    Enrollment,
    LearnerProfile,
    ReminderDelivery,
    ScheduleChange,
    StudyTime,
    StudyTimer,
    TaskCompletion,
)
from progress.notes import export_markdown

README = """Your data from the study-plan site, exported {when}.

account.json            your account, language and the settings of each plan you follow
<plan>/notes.md         your day notes with the tasks you ticked, weekly reflections and resource notes
<plan>/ticks.json       every ticked task and when you ticked it
<plan>/study_time.json  the study time you logged per plan day, and your timer if it runs for this plan
<plan>/schedule_changes.json, days_off.json   how you moved your schedule
<plan>/reminders.json   the daily reminder emails sent to you
"""

ENROLLMENT_FIELDS = (
    "plan__slug", "plan__title", "start_date", "study_weekdays", "time_zone", "reminders_enabled", "reminder_time",
    "weekend_reminders",
    "morning_start", "morning_end", "afternoon_start", "afternoon_end", "created_at",
)  # fmt: skip


def _json(rows: Iterable[Any]) -> str:
    return json.dumps(list(rows), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def account_json(user: User) -> str:
    profile = LearnerProfile.objects.filter(user=user).first()
    account = {
        "username": user.username,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "language": profile.language if profile else None,
        "enrollments": list(Enrollment.objects.filter(user=user).order_by("created_at").values(*ENROLLMENT_FIELDS)),
    }
    return json.dumps(account, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def enrollment_files(enrollment: Enrollment) -> dict[str, str]:
    ticks = TaskCompletion.objects.filter(enrollment=enrollment).order_by("completed_at", "id")
    return {
        "notes.md": export_markdown(enrollment),
        "ticks.json": _json(
            ticks.values(
                "completed_at",
                day=F("task__session__day__number"),
                slot=F("task__session__slot"),
                task_text=F("task__text"),
            )
        ),
        "study_time.json": _study_time(enrollment),
        "schedule_changes.json": _json(
            ScheduleChange.objects.filter(enrollment=enrollment).values(
                "kind", "from_day", "on_date", "created_at", "undone_at"
            )
        ),
        "days_off.json": _json(
            DayOff.objects.filter(enrollment=enrollment).values("start_date", "end_date", "created_at")
        ),
        "reminders.json": _json(
            ReminderDelivery.objects.filter(enrollment=enrollment)
            .order_by("local_date")
            .values("local_date", "status", "attempts", "sent_at")
        ),
    }


def _study_time(enrollment: Enrollment) -> str:
    days = StudyTime.objects.filter(enrollment=enrollment).order_by("day__number")
    timer = StudyTimer.objects.filter(enrollment=enrollment).values("started_at", plan_day=F("day__number")).first()
    rows = {"days": list(days.values("minutes", "updated_at", plan_day=F("day__number"))), "running_timer": timer}
    return json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def build_zip(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=timezone.now().isoformat(timespec="seconds")))
        archive.writestr("account.json", account_json(user))
        for enrollment in Enrollment.objects.filter(user=user).select_related("plan"):
            for name, text in enrollment_files(enrollment).items():
                archive.writestr(f"{enrollment.plan.slug}/{name}", text)
    return buffer.getvalue()
