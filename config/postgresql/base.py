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

With a pool of connections (``DATABASE_POOL_SIZE``, config.databases) Django has psycopg_pool
check each connection it hands out with an empty query, a round trip per request again; the
pool here checks it with the same socket test instead.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
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
    @property
    def pool(self) -> Any:
        return _pool(self)

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


def pool_check(connection: psycopg.Connection[Any]) -> None:
    """psycopg_pool's check of a connection it is about to hand out: the socket test."""
    if not socket_quiet(connection):
        # Closed here, so that the pool drops it and opens another (it keeps a connection
        # that failed its check but still looks open).
        connection.close()
        raise psycopg.OperationalError("the server has ended this connection")


def _pool(wrapper: base.DatabaseWrapper) -> Any:
    # Django 5.2's ``DatabaseWrapper.pool``, with ``pool_check`` as the health check.
    pool_options = wrapper.settings_dict["OPTIONS"].get("pool")
    if wrapper.alias == NO_DB_ALIAS or not pool_options:
        return None
    pools = wrapper._connection_pools  # type: ignore[attr-defined]
    if wrapper.alias not in pools:
        if wrapper.settings_dict.get("CONN_MAX_AGE", 0) != 0:
            raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
        from psycopg_pool import ConnectionPool

        connect_kwargs = wrapper.get_connection_params()
        connect_kwargs["autocommit"] = True  # as Django's: it sets autocommit later on
        pool = ConnectionPool(
            kwargs=connect_kwargs,
            open=False,
            configure=wrapper._configure_connection,  # type: ignore[attr-defined]
            check=pool_check if wrapper.settings_dict["CONN_HEALTH_CHECKS"] else None,
            **({} if pool_options is True else pool_options),
        )
        pools.setdefault(wrapper.alias, pool)  # the first thread to get here wins
    return pools[wrapper.alias]
