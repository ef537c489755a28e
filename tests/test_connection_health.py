"""Reused database connections are checked before each request without a round trip, and a connection the
server closed is still found out and replaced (config/postgresql)."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from config.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second(postgres: None) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the test database, as a gunicorn worker keeps one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_project_uses_the_backend(postgres: None) -> None:
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_sound_idle_connection_is_usable_without_asking_the_server(second: BaseDatabaseWrapper) -> None:
    sent: list[str] = []
    real_execute = second.connection.execute

    def spy(query: object, *args: object, **kwargs: object) -> object:
        sent.append(str(query))
        return real_execute(query, *args, **kwargs)

    second.connection.execute = spy
    try:
        assert second.is_usable()
        assert sent == []
        with second.cursor() as cursor:  # and it really works
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        del second.connection.execute


def test_a_connection_the_server_closed_is_found_out_and_replaced(second: BaseDatabaseWrapper) -> None:
    pid = second.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket shortly after: wait for it (bounded).
    deadline = time.monotonic() + 10
    while not select.select([second.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the terminated connection never heard from the server"
    assert not second.is_usable()
    # What Django does at the start of a request with health checks on: drop it, then connect afresh.
    second.health_check_done = False  # type: ignore[attr-defined]
    second.close_if_health_check_failed()
    with second.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_inside_a_failed_transaction_is_not_usable(second: BaseDatabaseWrapper) -> None:
    second.connection.autocommit = False
    with pytest.raises(Exception, match="division by zero"), second.connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert not second.is_usable()
    second.connection.rollback()
    assert second.is_usable()
