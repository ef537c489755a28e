"""The "sent" mark of each email, written as soon as the SMTP server accepts it, its answer read while the next
email's first command travels.

A batch sends one email after the other and marks each row sent the moment the server has accepted it (the
at-most-once rule: a row still "sending" is retried once stale). Waiting for PostgreSQL's answer to that
UPDATE before writing the next email's first SMTP command would make the two round trips add up, so the
answer is read (`settle`) once it is there, while the SMTP server reads the next email's first commands.
Nothing else uses the connection while a mark is in flight: the send loop settles it before any query of
its own, before any build step, at the latest just before the next email's message is written, and when
the batch ends. So a failed mark stops the batch with the next email undelivered (its connection is
dropped before the message), as any failed statement does.

On PostgreSQL this goes through libpq's asynchronous calls on Django's connection, with the UPDATE prepared
on the connection; on any other database the mark is an ordinary statement and `settle` has nothing to do.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import select
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg import pq

from progress.compiled import server_cursor

log = logging.getLogger(__name__)


class SentMarks:
    """Marks rows of one delivery table sent (status SENDING to SENT, sent_at and updated_at now, no error).

    One per batch: `ready()` before the first email goes out, `send(pk)` once each is accepted, `settle()`
    before anything else touches the connection, and `abandon()` on the way out of a failing batch."""

    def __init__(self, table: str, sent: str, sending: str) -> None:
        self._table, self._sent, self._sending = table, sent, sending
        self._in_flight: Any = None  # the libpq connection whose answer is still to be read
        self._encoding = "utf-8"  # its client encoding, for the error an answer may carry
        self._name: bytes | None = None  # the prepared UPDATE's

    @property
    def in_flight(self) -> bool:
        return self._in_flight is not None

    def ready(self) -> None:
        """Prepare the UPDATE on PostgreSQL, before any email of the batch is sent (so no accepted email waits
        on it), unless statements are not to be prepared (settings.DB_PREPARE, config.postgresql): planning it
        for every email cost the database as much CPU as running it.

        Looked up once per batch and prepared when missing: psycopg deallocates every statement prepared on a
        connection after a rollback that follows one of its own, so one prepared by an earlier batch may be
        gone. Nothing in a batch's send loop rolls back. Both go over the raw connection: they are this
        module's business, not queries of the batch's."""
        if connection.vendor != "postgresql" or not settings.DB_PREPARE:
            return
        self.settle()
        connection.ensure_connection()
        raw = connection.connection
        name = f"studyplan_sent_{self._table}".encode()
        with connection.wrap_database_errors:
            found = raw.pgconn.exec_params(b"SELECT 1 FROM pg_prepared_statements WHERE name = $1", [name])
            _raise_on_error(found, raw.info.encoding)
            if not found.ntuples:
                prepared = raw.pgconn.prepare(name, _statement(self._table, "$").encode())
                # "Already exists" though not listed: a pooler (PgBouncer 1.21+) keeps it under a name of its own.
                if prepared.error_field(pq.DiagnosticField.SQLSTATE) != b"42P05":
                    _raise_on_error(prepared, raw.info.encoding)
        self._name = name

    def send(self, pk: int) -> None:
        """Mark row `pk` sent: written now, its answer read by the next `settle` (PostgreSQL), or at once."""
        self.settle()
        now = timezone.now()
        if connection.vendor != "postgresql" or self._outside_transaction_begun():
            value = connection.ops.adapt_datetimefield_value(now)
            with server_cursor(connection) as cursor:
                cursor.execute(_statement(self._table, "%s"), [self._sent, value, value, pk, self._sending])
            return
        raw = connection.connection
        pgconn = raw.pgconn
        stamp = now.isoformat().encode()
        values = [self._sent.encode(), stamp, stamp, str(pk).encode(), self._sending.encode()]
        with connection.wrap_database_errors:
            if self._name is None:
                pgconn.send_query_params(_statement(self._table, "$").encode(), values)
            else:
                pgconn.send_query_prepared(self._name, values)
            self._in_flight, self._encoding = pgconn, raw.info.encoding
            while pgconn.flush():  # a nonblocking connection: the rest of the message once the socket takes it
                _wait(pgconn.socket, select.POLLOUT)
        if connection.queries_logged:  # DEBUG, or a test counting queries: listed as Django lists its own
            shown = [self._sent, now.isoformat(), now.isoformat(), pk, self._sending]
            sql = _statement(self._table, "%s") % tuple(map(repr, shown))
            connection.queries_log.append({"sql": sql, "time": "0.000"})

    def _outside_transaction_begun(self) -> bool:
        """Inside a transaction of Django's that has not run a statement yet, psycopg has not sent its BEGIN:
        a statement sent past psycopg would commit on its own. The ordinary way then, which begins it."""
        connection.ensure_connection()
        status = connection.connection.pgconn.transaction_status
        return not connection.get_autocommit() and status == pq.TransactionStatus.IDLE

    def answered(self) -> bool:
        """Whether the mark in flight, if any, has its answer here (reads what arrived, never waits)."""
        pgconn = self._in_flight
        if pgconn is None:
            return True
        try:
            with connection.wrap_database_errors:
                pgconn.consume_input()
        except BaseException:
            self._lose()
            raise
        return not pgconn.is_busy()

    def settle(self) -> None:
        """Read the answer of the mark in flight, if any; raises what the statement raised."""
        pgconn = self._in_flight
        if pgconn is None:
            return
        error: psycopg.Error | None = None
        try:
            with connection.wrap_database_errors:
                while True:
                    while pgconn.is_busy():
                        _wait(pgconn.socket, select.POLLIN)
                        pgconn.consume_input()
                    result = pgconn.get_result()
                    if result is None:
                        break
                    if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
                        error = psycopg.errors.error_from_result(result, encoding=self._encoding)
        except BaseException:
            self._lose()
            raise
        self._in_flight = None
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def abandon(self) -> None:
        """On the way out of a batch that failed: settle what is in flight, without letting a failure of its
        own hide the batch's (it is logged instead)."""
        try:
            self.settle()
        except Exception:
            log.exception("a sent mark failed while the batch was failing")

    def _lose(self) -> None:
        # Interrupted while reading an answer: what is left on the connection is unknown, so no query may
        # follow on it. Closed, Django opens a new one for the next.
        self._in_flight = None
        with contextlib.suppress(Exception):
            connection.close()


def _raise_on_error(result: Any, encoding: str) -> None:
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        raise psycopg.errors.error_from_result(result, encoding=encoding)


@functools.cache
def _statement(table: str, style: str) -> str:
    """The UPDATE, with `%s` placeholders (Django's cursors) or `$n` ones (libpq's)."""
    p = ["%s"] * 5 if style == "%s" else [f"${n}" for n in range(1, 6)]
    q = connection.ops.quote_name
    return (
        f"UPDATE {q(table)} SET {q('status')} = {p[0]}, {q('sent_at')} = {p[1]}, {q('error')} = '', "  # noqa: S608 - names from the model, values bound
        f"{q('updated_at')} = {p[2]} WHERE {q('id')} = {p[3]} AND {q('status')} = {p[4]}"
    )


def _wait(sock: int, event: int) -> None:
    poller = select.poll()
    poller.register(sock, event)
    poller.poll()
