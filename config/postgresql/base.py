"""Django's PostgreSQL backend with a connection health check that needs no round trip when all is well.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django asks a reused connection
`SELECT 1` before the first query of every request: a whole round trip to the database per page, for a
connection that is almost always fine. A connection the server has closed (a restart, an idle timeout,
pg_terminate_backend) shows it on its socket: the server's last message and end-of-file make the socket
readable while no query is in flight. So the check looks at the client's own state (broken, or inside a
failed transaction: unusable, as `SELECT 1` would find) and at the socket, without waiting, and only when
something is there asks the server as Django does. A broken connection is still dropped before use and
replaced, as before.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


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
