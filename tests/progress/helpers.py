"""Helpers for the learner-page tests: the start date and quick ways to tick tasks."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from curriculum.models import Plan, Task
from progress.models import Enrollment, TaskCompletion

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)  # a Monday


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
