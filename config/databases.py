"""The database aliases, from the environment (read by ``config.settings``).

``default`` is what the web tier and the job workers use. Behind PgBouncer in transaction mode
(``DATABASE_POOL_MODE=transaction``) a connection is a different server session from one
transaction to the next, so nothing may rely on session state across transactions:
server-side cursors are off and psycopg does not prepare statements. In session mode (a
direct connection, or a pooler in session mode) the parameters are bound by the server and
psycopg prepares a statement the connection has run ``prepare_threshold`` times: PostgreSQL then
parses and plans it once per connection instead of once per call (``prepared``, issue 17).
The parallel selection
(``waves.selection_parallel``) needs real sessions (session settings, cancelling by backend
pid): ``DATABASE_DIRECT_URL`` gives it an alias of its own, ``direct``, that reaches
PostgreSQL without the pooler. Without it, ``direct`` is not defined and the selection uses
``default`` (set ``SELECTION_CONNECTIONS=1`` then, see docs/OPERATIONS.md).
"""

from __future__ import annotations

from typing import Any

POOL_MODES = ("session", "transaction")
POSTGRESQL = "django.db.backends.postgresql"
# Django's backend with a health check that makes no round trip (config/postgresql/base.py).
POSTGRESQL_ENGINE = "config.postgresql"


def databases_configure(
    default: dict[str, Any],
    *,
    direct: dict[str, Any] | None,
    pool_mode: str,
    prepared: bool = True,
    pool_size: int = 0,
    pool_timeout: float = 10.0,
) -> dict[str, dict[str, Any]]:
    """The ``DATABASES`` setting from parsed URLs (``environ.Env.db_url``).

    ``pool_size``: the app process's threads share that many connections to PostgreSQL
    (Django's pool, psycopg_pool), each taken for a request and given back at its end, instead
    of one persistent connection per thread; 0 keeps one per thread (``CONN_MAX_AGE``). A
    request that finds every connection taken waits up to ``pool_timeout`` seconds. The
    selection's own sessions never come from the pool (``waves.selection_parallel``)."""
    if pool_mode not in POOL_MODES:
        raise ValueError(f"DATABASE_POOL_MODE must be one of {', '.join(POOL_MODES)}")
    databases = {"default": default}
    for alias in (default, direct):
        if alias is not None and alias["ENGINE"] == POSTGRESQL:
            alias["ENGINE"] = POSTGRESQL_ENGINE
    if pool_mode == "transaction" and default["ENGINE"] == POSTGRESQL_ENGINE:
        default["DISABLE_SERVER_SIDE_CURSORS"] = True
        default.setdefault("OPTIONS", {})["prepare_threshold"] = None
    elif prepared and default["ENGINE"] == POSTGRESQL_ENGINE:
        options = default.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        # Prepared at a statement's second run; psycopg keeps the 100 most recent per
        # connection (the registration flow has about 60 distinct statements).
        options.setdefault("prepare_threshold", 2)
    if pool_size and default["ENGINE"] == POSTGRESQL_ENGINE:
        default.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": pool_timeout,
        }
        default["CONN_MAX_AGE"] = 0  # a pooled connection goes back to the pool, not kept
    if direct is not None:
        # The same database by another road: tests use the default alias's test database.
        direct.setdefault("TEST", {})["MIRROR"] = "default"
        databases["direct"] = direct
    return databases


def selection_alias(databases: dict[str, dict[str, Any]]) -> str:
    """The alias the selection's extra connections open: ``direct`` when there is one."""
    return "direct" if "direct" in databases else "default"
