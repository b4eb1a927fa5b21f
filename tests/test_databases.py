"""The database aliases behind a transaction-mode pooler (config.databases) and the
selection's own sessions opened through the ``direct`` alias (issue 17, item 5)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from config.databases import databases_configure, selection_alias


def _pg(port: int) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.postgresql", "NAME": "prakerja", "PORT": port}


def test_without_a_pooler_the_server_binds_and_prepares_and_the_selection_uses_default() -> None:
    databases = databases_configure(_pg(5432), direct=None, pool_mode="session")
    assert databases == {
        "default": {
            **_pg(5432),
            "ENGINE": "config.postgresql",
            "OPTIONS": {"server_side_binding": True, "prepare_threshold": 2},
        }
    }
    assert selection_alias(databases) == "default"


def test_prepared_statements_can_be_turned_off() -> None:
    databases = databases_configure(_pg(5432), direct=None, pool_mode="session", prepared=False)
    assert databases == {"default": {**_pg(5432), "ENGINE": "config.postgresql"}}


def test_transaction_mode_turns_off_session_state_and_the_selection_goes_direct() -> None:
    databases = databases_configure(_pg(6432), direct=_pg(5432), pool_mode="transaction")
    default = databases["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert default["OPTIONS"]["prepare_threshold"] is None
    assert "server_side_binding" not in default["OPTIONS"]
    # The direct alias is left as a plain session, and tests mirror it onto default.
    assert "DISABLE_SERVER_SIDE_CURSORS" not in databases["direct"]
    assert databases["direct"]["PORT"] == 5432
    assert databases["direct"]["ENGINE"] == "config.postgresql"
    assert databases["direct"]["TEST"] == {"MIRROR": "default"}
    assert selection_alias(databases) == "direct"


def test_a_pool_size_shares_that_many_connections_per_process_and_keeps_none() -> None:
    databases = databases_configure(
        _pg(5432), direct=_pg(5433), pool_mode="session", pool_size=4, pool_timeout=2.5
    )
    default = databases["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 2.5}
    assert default["CONN_MAX_AGE"] == 0  # Django's pool refuses persistent connections
    assert default["OPTIONS"]["prepare_threshold"] == 2  # kept per pooled connection
    # The selection's own sessions are not pooled.
    assert "pool" not in databases["direct"].get("OPTIONS", {})
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}
    assert databases_configure(sqlite, direct=None, pool_mode="session", pool_size=4) == {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}
    }


def test_an_unknown_pool_mode_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="DATABASE_POOL_MODE must be one of session, transaction"):
        databases_configure(_pg(5432), direct=None, pool_mode="statement")


def test_sqlite_is_left_alone_in_transaction_mode() -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}
    databases = databases_configure(dict(sqlite), direct=None, pool_mode="transaction")
    assert databases["default"] == sqlite
    databases = databases_configure(dict(sqlite), direct=None, pool_mode="session")
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


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_a_statement_run_twice_is_prepared_once_on_the_connection() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    if connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        pytest.skip("prepared statements are off here (DATABASE_POOL_MODE=transaction)")
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT %s::int + 1 AS answer", [41])
            assert cursor.fetchone() == (42,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
            ["SELECT $1::int + 1 AS answer"],
        )
        assert cursor.fetchone() == (1,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_health_checks_send_nothing_and_drop_a_connection_the_server_ended() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    wrapper: Any = connections["default"]
    wrapper.ensure_connection()
    first = wrapper.connection
    enabled = wrapper.health_check_enabled

    def no_round_trip() -> bool:
        raise AssertionError("the per-request check must not query the server")

    wrapper.is_usable = no_round_trip
    wrapper.health_check_enabled = True
    try:
        _check_health_without_a_round_trip(wrapper, first)
    finally:
        del wrapper.is_usable
        wrapper.health_check_enabled = enabled


def _check_health_without_a_round_trip(connection: Any, first: Any) -> None:
    import psycopg

    from config.postgresql.base import socket_quiet

    # A healthy idle connection is kept, and nothing is sent to find that out.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is first
    assert socket_quiet(first)

    # The server ends it, as a restart or pg_terminate_backend does.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    deadline = time.monotonic() + 5
    while socket_quiet(first) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not socket_quiet(first)

    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:  # the next query opens a fresh connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_threads_take_turns_on_the_pools_connection(django_db_blocker: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    # A pool of one connection under an alias of its own (only the server's session is read:
    # no table is touched). Each thread takes it for its "request" and gives it back at the
    # end, as Django does at the end of a request; both threads meet the same server session.
    connections.settings["pooled"] = {
        **connections.settings["default"],
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            **connections.settings["default"]["OPTIONS"],
            "pool": {"min_size": 1, "max_size": 1, "timeout": 5},
        },
    }

    def request() -> int:
        pooled = connections["pooled"]
        try:
            with pooled.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (pid,) = cursor.fetchone()
            return int(pid)
        finally:
            pooled.close()  # back to the pool

    try:
        with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=2) as threads:
            first = threads.submit(request).result()
            second = threads.submit(request).result()
            both = [future.result() for future in [threads.submit(request) for _ in range(4)]]
            # The server ends the pooled session (a restart, an idle timeout): the pool's
            # check sees the closed socket and the next request gets a new session, no error.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [first])
            time.sleep(0.2)
            after = threads.submit(request).result()
    finally:
        connections["pooled"].close_pool()  # type: ignore[attr-defined]
        del connections.settings["pooled"]
    assert second == first
    assert set(both) == {first}
    assert after != first


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_selections_sessions_never_come_from_the_pool(
    settings: Any, django_db_blocker: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    from prakerja.waves.selection_parallel import _helper_open

    default = connections.settings["default"]
    connections.settings["pooled_selection"] = {
        **default,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**default["OPTIONS"], "pool": {"min_size": 1, "max_size": 1}},
    }
    settings.SELECTION_DATABASE_ALIAS = "pooled_selection"

    def opened() -> tuple[object, str]:
        helper = _helper_open(7)
        try:
            with helper.cursor() as cursor:
                cursor.execute("SHOW work_mem")
                (work_mem,) = cursor.fetchone()
            return getattr(helper, "pool", None), work_mem
        finally:
            helper.close()

    try:
        with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as threads:
            pool, work_mem = threads.submit(opened).result()
    finally:
        del connections.settings["pooled_selection"]
    assert pool is None  # a session of its own: its settings leave with it
    assert work_mem == "2GB"
