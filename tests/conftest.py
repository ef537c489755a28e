"""Shared fixtures: fixed personas and service guards.

A test that needs a real service asks for its fixture; without the service it is skipped with the reason,
except when CI is set, where a missing service is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import translation

CHROMIUM = "/usr/bin/chromium"


def need(reason: str) -> None:
    """Skip locally, fail in CI: a missing service must never turn a CI run green."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        need("the suite is not running on PostgreSQL (set DATABASE_URL)")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        need(f"Redis does not answer at {url}: {exc}")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        need(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, password: str = "correct-horse-battery", **extra: object) -> User:
        return User.objects.create_user(username=username, email=f"{username}@example.com", password=password, **extra)

    return make


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    """The learner."""
    return make_user("alice")


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    """A second learner, who must never see alice's things."""
    return make_user("bob")


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    user = make_user("ines", is_staff=True)
    group = Group.objects.filter(name="Instructors").first()
    if group is not None:
        user.groups.add(group)
    return user


@pytest.fixture
def monday() -> date:
    return date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """PBKDF2 at production strength costs ~0.4 s per user; tests hash with a fast hasher instead."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_translation() -> Iterator[None]:
    """Each test starts and ends in the default language.

    The language middleware activates a language per request in the test's own thread, and Django keeps it
    active after the response; without this, code a test renders outside a request (emails, feeds) would
    follow whichever test ran before it. deactivate() falls back to settings.LANGUAGE_CODE, read at call time,
    so the `english_ui` fixture's override still applies.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_page_cache() -> None:
    """Each test starts with no kept pages, learner states or reminder parts.

    Their keys are the rows they are made of, which never repeat in a real database; but each test's rows
    are rolled back, and under a frozen clock the next test can make the very same rows (same ids, same
    timestamps) with other contents. The per-process cache is emptied only when it is one (a Redis
    cache may be shared with something else)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from progress import page_cache
    from progress.reminders import batch

    page_cache.forget_local()
    batch.forget_memos()
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def fresh_throttles(settings: Any) -> None:
    """Each test counts password-reset and sign-up attempts from zero, in memory of its own."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }


@pytest.fixture(autouse=True)
def account_mail_sent_at_once() -> Iterator[None]:
    """Tasks queued by this process (account emails) run in it at once, so a test reads the outbox right after
    the request. Workers the integration tests start are processes of their own, untouched by this."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
