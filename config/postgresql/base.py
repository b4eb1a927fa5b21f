"""Django's PostgreSQL backend with a health check that costs the server nothing.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a reused connection at the start of
each request: one round trip and one statement per request, about a tenth of a registration's
statements (issue 17). A connection the server has ended (a restart, ``pg_terminate_backend``,
``idle_session_timeout``) is told so: PostgreSQL sends its last error and closes the socket, so
the socket turns readable. An idle connection is sent nothing otherwise (the app does not
LISTEN). So the check here asks the kernel whether the socket has anything to read, without a
round trip: readable, closed or in error means the connection is closed and the request opens a
fresh one, exactly where ``SELECT 1`` would have failed. Where the network drops silently both
checks would have to wait for TCP; neither can do better. After a request that raised a
database error Django still runs ``SELECT 1`` (``is_usable``), unchanged.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


def socket_quiet(connection: object) -> bool:
    """True when a psycopg connection is open, idle and has nothing waiting to be read."""
    pgconn = getattr(connection, "pgconn", None)
    if pgconn is None or getattr(connection, "closed", True):
        return False
    try:
        fd = pgconn.socket
    except Exception:
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        # (The two flags are set by Django's connect(); its type stubs do not declare them.)
        if (
            self.connection is None
            or not getattr(self, "health_check_enabled", False)
            or getattr(self, "health_check_done", False)
            or self.pool
        ):
            return
        if not socket_quiet(self.connection):
            self.close()
        self.health_check_done = True
