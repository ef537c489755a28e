"""Django's PostgreSQL backend with a connection health check that needs no round trip when all is well.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django asks a reused connection
`SELECT 1` before the first query of every request: a whole round trip to the database per page, for a
connection that is almost always fine. A connection the server has closed (a restart, an idle timeout,
pg_terminate_backend) shows it on its socket: the server's last message and end-of-file make the socket
readable while no query is in flight. So the check looks at the client's own state (broken, or inside a
failed transaction: unusable, as `SELECT 1` would find) and at the socket, without waiting, and only when
something is there asks the server as Django does. A broken connection is still dropped before use and
replaced, as before.

It also offers `prepared_cursor()`, for fixed SQL run again and again with values: the compiled queries every
page makes (progress.compiled.server_cursor).
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format, TransactionStatus

# psycopg's default; the cursor below asks for preparing at first use anyway.
PREPARE_THRESHOLD = 5


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        status = raw.info.transaction_status
        if status in (TransactionStatus.INERROR, TransactionStatus.UNKNOWN):
            return False  # what SELECT 1 would have found: no query can run on it now
        if status != TransactionStatus.IDLE and status != TransactionStatus.INTRANS:
            return bool(super().is_usable())
        try:
            readable, _, _ = select.select([raw.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # Idle, nothing from the server: alive. Anything there (a closing server's message, a notice): ask.
        return bool(super().is_usable()) if readable else True

    def prepared_cursor(self) -> Any:
        """A cursor like `cursor()` whose statements are prepared on the server (unless settings.DB_PREPARE
        is off).

        Django binds parameters on the client, so every query reaches PostgreSQL as new text and is planned
        again: for a page's one indexed lookup the planning takes four times as long as the execution. This
        cursor sends the parameters apart and has psycopg prepare the statement on first use; the connection
        keeps it (psycopg's `prepared_max`), so from then on PostgreSQL only executes it. Only for SQL compiled
        once and run with ids (progress.compiled); Django's own queries keep client-side binding, which some of
        its SQL needs. A pooler in transaction mode that does not track prepared statements (PgBouncer before
        1.21) needs DJANGO_DB_PREPARE=0.
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor: psycopg.Cursor[Any]
            if settings.DB_PREPARE:
                # Django sets no threshold (None), which stops psycopg from preparing anything. Its own cursors
                # bind on the client and never prepare, whatever the threshold: only this cursor does.
                self.connection.prepare_threshold = PREPARE_THRESHOLD
                cursor = _PreparingCursor(self.connection)
            else:
                cursor = psycopg.Cursor(self.connection)
            # As Django's create_cursor: read timestamps in the connection's time zone.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone != getattr(loader, "timezone", None):
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)  # type: ignore[attr-defined]  # private in the stubs only


class _PreparingCursor(psycopg.Cursor[Any]):
    """Prepares every statement it runs (Django turns psycopg's own threshold off by default)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
