from __future__ import annotations

import threading

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from prakerja.core.shedding import LoadSheddingMiddleware


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
