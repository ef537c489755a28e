"""Fixtures for the learner-page tests (imported by name in each test module).

Kept out of a conftest.py so other parts of the suite can own theirs without clashing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings
from time_machine import TimeMachineFixture

from curriculum.models import Plan, Task
from progress.models import Enrollment, TaskCompletion
from tests.factories import make_plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    """The personas' passwords are hashed with the fast test hasher: these tests are not about passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan(db: None) -> Plan:
    return make_plan(days=10)


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def on_local_date(time_machine: TimeMachineFixture) -> Callable[..., None]:
    """Freeze the clock at noon of `d` in Shanghai (the learner's time zone)."""

    def travel(d: date, at: time = time(12, 0)) -> None:
        time_machine.move_to(datetime.combine(d, at, tzinfo=SHANGHAI), tick=False)

    return travel


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
