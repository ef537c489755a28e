"""Shared pieces for the reminder tests: a real SMTP server (aiosmtpd) and enrollment builders.

The fixtures that start servers (`smtp`, `smtp_settings`, `server`) are in tests/progress/conftest.py.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as dtime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from django.contrib.auth.models import User

from curriculum.models import Plan
from progress.models import Enrollment, LearnerProfile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """An aiosmtpd handler that stores what it accepts.

    `codes`: replies for the next DATA commands, in order ("451 ..." / "550 ..."); afterwards it accepts.
    `delay`: seconds to wait in each DATA before answering (a slow server, to kill a worker mid-batch).
    """

    def __init__(self, codes: list[str] | None = None, delay: float = 0.0) -> None:
        self.codes = list(codes or [])
        self.delay = delay
        self.sessions = 0
        self.data_commands = 0
        # How many DATA commands were being answered at once, at most (several connections of one batch).
        self.in_data = self.most_in_data = 0
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> Any:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_commands += 1
            code = self.codes.pop(0) if self.codes else "250 OK"
            self.in_data += 1
            self.most_in_data = max(self.most_in_data, self.in_data)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        finally:
            with self.lock:
                self.in_data -= 1
        if not code.startswith("250"):
            return code
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.raw.append(envelope.original_content or envelope.content)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()


class SmtpServer:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.port = free_port()
        self.controller = Controller(sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def enroll(
    user: User,
    plan: Plan,
    *,
    start: date,
    tz: str = "Asia/Shanghai",
    at: dtime = dtime(8, 0),
    language: str = "zh-hans",
    enabled: bool = True,
) -> Enrollment:
    LearnerProfile.objects.update_or_create(user=user, defaults={"language": language})
    return Enrollment.objects.create(
        user=user, plan=plan, start_date=start, time_zone=tz, reminder_time=at, reminders_enabled=enabled
    )


def learners(make_user: Callable[..., User], n: int, prefix: str = "learner") -> list[User]:
    """`n` learners in one query (no password hashing: these never log in)."""
    return User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", password="!") for i in range(n)
    )


def utc(text: str) -> datetime:
    """An aware UTC instant from "2026-03-02 00:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
