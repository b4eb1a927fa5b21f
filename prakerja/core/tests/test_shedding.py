from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from prakerja.core.shedding import LoadSheddingMiddleware, slot_connections_close


def _blocking_app(entered: threading.Event, release: threading.Event):  # type: ignore[no-untyped-def]
    def app(request: HttpRequest) -> HttpResponse:
        entered.set()
        release.wait(5)
        return HttpResponse("ok")

    return app


@override_settings(SHED_MAX_CONCURRENT=1, SHED_WAIT_SECONDS=0.05, SHED_RETRY_AFTER_SECONDS=3)
@pytest.mark.parametrize(
    ("path", "content_type"), [("/api/v1/posts", "application/json"), ("/daftar/", "text/html")]
)
def test_a_request_beyond_capacity_gets_503_with_retry_after(path: str, content_type: str) -> None:
    entered, release = threading.Event(), threading.Event()
    middleware = LoadSheddingMiddleware(_blocking_app(entered, release))
    first = threading.Thread(target=middleware, args=(RequestFactory().get(path),))
    first.start()
    assert entered.wait(2)
    try:
        response = middleware(RequestFactory().get(path))
    finally:
        release.set()
        first.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert response["Content-Type"].startswith(content_type)
    assert "Server sedang sibuk" in response.content.decode()


@override_settings(SHED_MAX_CONCURRENT=1, SHED_WAIT_SECONDS=0.05)
def test_health_probes_are_never_shed() -> None:
    entered, release = threading.Event(), threading.Event()
    middleware = LoadSheddingMiddleware(_blocking_app(entered, release))
    busy = threading.Thread(target=middleware, args=(RequestFactory().get("/"),))
    busy.start()
    assert entered.wait(2)
    calls: list[int] = []
    middleware.get_response = lambda request: calls.append(1) or HttpResponse("ok")  # type: ignore[assignment,func-returns-value]
    try:
        assert middleware(RequestFactory().get("/livez")).status_code == 200
    finally:
        release.set()
        busy.join()
    assert calls == [1]


@override_settings(SHED_MAX_CONCURRENT=2, SHED_WAIT_SECONDS=0.05)
def test_requests_within_capacity_pass_and_release_their_slot() -> None:
    middleware = LoadSheddingMiddleware(lambda request: HttpResponse("ok"))
    for _ in range(10):
        assert middleware(RequestFactory().get("/")).status_code == 200


@override_settings(SHED_MAX_CONCURRENT=0)
def test_shedding_can_be_switched_off() -> None:
    middleware = LoadSheddingMiddleware(lambda request: HttpResponse("ok"))
    assert middleware.slots is None
    assert middleware(RequestFactory().get("/")).status_code == 200


@override_settings(SHED_MAX_CONCURRENT=1, SHED_WAIT_SECONDS=0.01)
def test_refused_requests_are_counted_in_one_warning_not_an_error_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entered, release = threading.Event(), threading.Event()
    middleware = LoadSheddingMiddleware(_blocking_app(entered, release))
    busy = threading.Thread(target=middleware, args=(RequestFactory().get("/api/v1/x"),))
    busy.start()
    assert entered.wait(2)
    try:
        responses = [middleware(RequestFactory().get("/api/v1/x")) for _ in range(5)]
    finally:
        release.set()
        busy.join()
    assert [r.status_code for r in responses] == [503] * 5
    # Django's request logger skips a response marked as logged.
    assert all(getattr(r, "_has_been_logged", False) for r in responses)
    shed_lines = [r for r in caplog.records if r.name == "prakerja.core.shedding"]
    assert len(shed_lines) == 1 and shed_lines[0].levelname == "WARNING"


# --- The slots' database connections (PostgreSQL) ---------------------------------------------


def _backend_pid_view(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return HttpResponse(str(pid))


def _request_in_a_new_thread(
    middleware: LoadSheddingMiddleware, path: str = "/daftar/"
) -> tuple[int, bool]:
    """The backend a request ran on, and whether its thread opened a connection of its own."""
    from django.db import connections

    result: list[tuple[int, bool]] = []

    def run() -> None:
        try:
            response = middleware(RequestFactory().get(path))
            own = connections["default"]
            result.append((int(response.content), own.connection is not None))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    return result[0]


def _pid_middleware(settings: Any, *, slots: int, slot_connections: bool) -> LoadSheddingMiddleware:
    """On PostgreSQL only: the middleware with ``slots`` slots around a view that answers
    with its backend's pid."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    settings.SHED_MAX_CONCURRENT = slots
    settings.DATABASE_SLOT_CONNECTIONS = slot_connections
    return LoadSheddingMiddleware(_backend_pid_view)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_requests_use_their_slots_connection_not_one_per_thread(
    settings: Any,
) -> None:
    middleware = _pid_middleware(settings, slots=2, slot_connections=True)
    try:
        seen = [_request_in_a_new_thread(middleware) for _ in range(6)]
    finally:
        slot_connections_close()
    pids = {pid for pid, _own in seen}
    # Six threads, one after the other: each request took the free slot at the front and
    # ran on that slot's connection; no thread opened a connection of its own.
    assert 1 <= len(pids) <= 2
    assert not any(own for _pid, own in seen)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_slot_connection_the_server_ended_is_replaced_without_an_error(
    settings: Any,
) -> None:
    from django.db import connection

    middleware = _pid_middleware(settings, slots=1, slot_connections=True)
    try:
        first, _own = _request_in_a_new_thread(middleware)
        assert _request_in_a_new_thread(middleware)[0] == first
        with connection.cursor() as cursor:  # a restart, an idle timeout
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        time.sleep(0.2)
        after, _own = _request_in_a_new_thread(middleware)
    finally:
        slot_connections_close()
    assert after != first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_without_slot_connections_each_thread_has_its_own(settings: Any) -> None:
    middleware = _pid_middleware(settings, slots=1, slot_connections=False)
    seen = [_request_in_a_new_thread(middleware) for _ in range(3)]
    assert len({pid for pid, _own in seen}) == 3
    assert all(own for _pid, own in seen)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_health_probes_share_one_connection_of_their_own(settings: Any) -> None:
    middleware = _pid_middleware(settings, slots=1, slot_connections=True)
    try:
        seen = [_request_in_a_new_thread(middleware, "/livez") for _ in range(4)]
        request = _request_in_a_new_thread(middleware)
    finally:
        slot_connections_close()
    # A load balancer's probes land on any thread: they all use the probes' connection, and
    # no thread keeps one of its own; requests use the slots'.
    assert len({pid for pid, _own in seen}) == 1
    assert not any(own for _pid, own in seen)
    assert request[0] != seen[0][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_request_that_fails_gives_its_connection_back(settings: Any) -> None:
    from django.db import connections

    middleware = _pid_middleware(settings, slots=1, slot_connections=True)
    view = middleware.get_response
    failing: list[int] = []
    own_unopened: list[bool] = []

    def fails(request: HttpRequest) -> HttpResponse:
        failing.append(int(view(request).content))
        raise RuntimeError("the view failed")

    def run() -> None:
        try:
            with pytest.raises(RuntimeError):
                middleware(RequestFactory().get("/daftar/"))
            own_unopened.append(connections["default"].connection is None)
        finally:
            connections.close_all()

    middleware.get_response = fails  # type: ignore[assignment]
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
        middleware.get_response = view  # type: ignore[assignment]
        after, _own = _request_in_a_new_thread(middleware)
    finally:
        slot_connections_close()
    assert own_unopened == [True]  # the thread's own connection is back, never opened
    assert failing and after == failing[0]  # the slot and its session serve the next request


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_request_inside_a_transaction_keeps_its_connection(settings: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set DATABASE_URL to a PostgreSQL database")
    settings.SHED_MAX_CONCURRENT = 1
    settings.DATABASE_SLOT_CONNECTIONS = True
    seen: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(connection.connection)
        return HttpResponse("ok")

    connection.ensure_connection()
    # The test's transaction is open, as a test client's request meets it: the request
    # sees the test's rows because it stays on the test's connection.
    assert LoadSheddingMiddleware(view)(RequestFactory().get("/")).status_code == 200
    assert seen == [connection.connection]
