"""The database aliases behind a transaction-mode pooler (config.databases) and the
selection's own sessions opened through the ``direct`` alias (issue 17, item 5)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from config.databases import databases_configure, selection_alias


def _pg(port: int) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.postgresql", "NAME": "prakerja", "PORT": port}


def test_without_a_pooler_nothing_changes_and_the_selection_uses_default() -> None:
    databases = databases_configure(_pg(5432), direct=None, pool_mode="session")
    assert databases == {"default": _pg(5432)}
    assert selection_alias(databases) == "default"


def test_transaction_mode_turns_off_session_state_and_the_selection_goes_direct() -> None:
    databases = databases_configure(_pg(6432), direct=_pg(5432), pool_mode="transaction")
    default = databases["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert default["OPTIONS"]["prepare_threshold"] is None
    # The direct alias is left as a plain session, and tests mirror it onto default.
    assert "DISABLE_SERVER_SIDE_CURSORS" not in databases["direct"]
    assert databases["direct"]["PORT"] == 5432
    assert databases["direct"]["TEST"] == {"MIRROR": "default"}
    assert selection_alias(databases) == "direct"


def test_an_unknown_pool_mode_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="DATABASE_POOL_MODE must be one of session, transaction"):
        databases_configure(_pg(5432), direct=None, pool_mode="statement")


def test_sqlite_is_left_alone_in_transaction_mode() -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}
    databases = databases_configure(dict(sqlite), direct=None, pool_mode="transaction")
    assert databases["default"] == sqlite


def test_the_selection_opens_its_sessions_on_the_configured_alias(settings: Any) -> None:
    from prakerja.waves.selection_parallel import _helper_open

    settings.SELECTION_DATABASE_ALIAS = "no-such-alias"
    with pytest.raises(KeyError, match="no-such-alias"):
        _helper_open(1)


@pytest.mark.postgres
def test_on_postgresql_the_selection_session_comes_from_the_direct_alias(
    settings: Any, django_db_blocker: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    from prakerja.waves.selection_parallel import _helper_open

    # A second road to the same database, as DATABASE_DIRECT_URL would give (only session
    # settings are read: no table is touched, so no test database is needed). In a thread of
    # its own, as the job worker opens it: the browser tests' session leaves an event loop in
    # this one, where Django refuses to open a connection.
    connections.settings["direct"] = {**connections.settings["default"]}
    settings.SELECTION_DATABASE_ALIAS = "direct"

    def session_settings() -> tuple[str, str, str]:
        helper = _helper_open(7)
        try:
            with helper.cursor() as cursor:
                cursor.execute("SHOW work_mem")
                (work_mem,) = cursor.fetchone()
                cursor.execute("SELECT current_setting('application_name')")
                (name,) = cursor.fetchone()
            return helper.alias, work_mem, name
        finally:
            helper.close()

    try:
        with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
            alias, work_mem, name = pool.submit(session_settings).result()
    finally:
        del connections.settings["direct"]
    assert alias == "direct"
    assert work_mem == "2GB"
    assert name == "prakerja selection 7"
