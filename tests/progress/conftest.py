"""Fixtures for the learner tests: a 10-day plan, alice enrolled in it, her client, a frozen local date, and
real SMTP servers (aiosmtpd) for the reminder tests.

Modules that need another plan or enrollment define their own fixture of the same name, which wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings
from time_machine import TimeMachineFixture

from curriculum.models import Plan
from progress.models import Enrollment
from tests.factories import make_plan
from tests.progress.helpers import SHANGHAI, START
from tests.progress.reminder_helpers import Sink, SmtpServer


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
    """Freeze the clock at noon (or `at`) of `d` in Shanghai (the learner's time zone)."""

    def travel(d: date, at: time = time(12, 0)) -> None:
        time_machine.move_to(datetime.combine(d, at, tzinfo=SHANGHAI), tick=False)

    return travel


@pytest.fixture
def on_saturday(on_local_date: Callable[..., None]) -> None:
    """Noon on Saturday 7 March 2026 in Shanghai: a plan started on Monday 2 March has days 1-5 behind it."""
    on_local_date(date(2026, 3, 7))


@pytest.fixture
def english_ui(settings: Settings) -> None:
    """Read the interface in English: learners without a profile get the default language at log-in.

    The UI is Chinese by default (tests/progress/test_translations.py checks the catalogue and a page in
    Chinese); tests about behaviour assert on the English source strings.
    """
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def smtp() -> Iterator[Callable[..., SmtpServer]]:
    """Start aiosmtpd servers on free loopback ports: smtp(codes=[...], delay=...)."""
    started: list[SmtpServer] = []

    def start(codes: list[str] | None = None, delay: float = 0.0) -> SmtpServer:
        server = SmtpServer(Sink(codes, delay)).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def smtp_settings(settings: Settings) -> Callable[[SmtpServer], None]:
    """Point Django's default mailer at an aiosmtpd server: smtp_settings(server)."""

    def use(server: SmtpServer) -> None:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False, "timeout": 10},
            }
        }

    return use


@pytest.fixture
def server(smtp: Callable[..., SmtpServer], smtp_settings: Callable[[SmtpServer], None]) -> SmtpServer:
    """One accepting aiosmtpd server that Django's default mailer sends to."""
    s = smtp()
    smtp_settings(s)
    return s


@pytest.fixture
def travel() -> Iterator[Callable[[datetime], None]]:
    """Freeze time at an instant, again and again in one test: travel(utc("2026-03-02 00:00"))."""
    travellers: list[time_machine.travel] = []

    def go(when: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        t = time_machine.travel(when, tick=False)
        t.start()
        travellers.append(t)

    yield go
    for t in travellers:
        t.stop()
