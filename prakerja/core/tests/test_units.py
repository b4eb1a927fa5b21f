"""A service's all-or-nothing inside a submission's transaction (``core.units``)."""

from __future__ import annotations

import contextlib

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import run_idempotent
from prakerja.core.models import IdempotencyRecord
from prakerja.core.tests.test_idempotency import api_request
from prakerja.core.units import service_atomic, unit_of_work

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def _row(key: str) -> None:
    Session.objects.create(session_key=key, session_data="", expire_date=timezone.now())


@service_atomic
def write_then(key: str, *, refuse: bool) -> None:
    """A service that writes, then refuses (after its write) when asked."""
    _row(key)
    if refuse:
        raise Refused(key)


def _savepoints(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].upper().startswith("SAVEPOINT") for q in queries.captured_queries)


def test_outside_a_unit_it_is_transaction_atomic() -> None:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries, pytest.raises(Refused):
            write_then("a" * 32, refuse=True)
        # Its savepoint undid its write; the caller's transaction goes on.
        assert _savepoints(queries) == 1
        assert not Session.objects.filter(session_key="a" * 32).exists()
        write_then("b" * 32, refuse=False)
    assert Session.objects.filter(session_key="b" * 32).exists()


def test_at_a_units_level_it_skips_the_savepoint_and_marks_a_refusal() -> None:
    with transaction.atomic(), unit_of_work() as unit:
        with CaptureQueriesContext(connection) as queries:
            write_then("c" * 32, refuse=False)
        assert _savepoints(queries) == 0
        assert unit.refused is False
        with pytest.raises(Refused):
            write_then("d" * 32, refuse=True)
        assert unit.refused is True


def test_inside_another_atomic_block_of_the_unit_it_keeps_its_savepoint() -> None:
    with transaction.atomic(), unit_of_work() as unit:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries, pytest.raises(Refused):
                write_then("e" * 32, refuse=True)
            assert _savepoints(queries) == 1
        # The caller's own block decides: the refusal was undone by the savepoint.
        assert unit.refused is False
        assert not Session.objects.filter(session_key="e" * 32).exists()


@pytest.mark.django_db(transaction=True)
def test_a_unit_runs_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError), unit_of_work():
        pass


class CatchingHandler:
    """A view that catches the service's refusal and answers anyway."""

    def __init__(self, key: str, answer: HttpResponseBase) -> None:
        self.key, self.answer, self.calls = key, answer, 0

    def __call__(self) -> HttpResponseBase:
        self.calls += 1
        _row("f" * 32)  # the handler's own write, before the service
        with contextlib.suppress(Refused):
            write_then(self.key, refuse=True)
        # The transaction is still usable: the page with the errors is rendered from it.
        assert Session.objects.filter(session_key=self.key).exists()
        return self.answer


def test_a_refusal_caught_by_the_handler_commits_nothing_and_its_answer_is_replayed() -> None:
    handler = CatchingHandler(
        "g" * 32, HttpResponse('{"error":"x"}', status=422, content_type="application/json")
    )
    first = run_idempotent(api_request(), handler)
    second = run_idempotent(api_request(), handler)
    assert first.status_code == second.status_code == 422
    assert handler.calls == 1
    assert second["Idempotent-Replayed"] == "true"
    # Neither the service's write nor the handler's own was committed.
    assert not Session.objects.filter(session_key__in=["f" * 32, "g" * 32]).exists()
    record = IdempotencyRecord.objects.get()
    assert (record.status, record.response_status) == ("done", 422)


def test_a_refusal_with_an_answer_not_to_keep_leaves_no_claim() -> None:
    handler = CatchingHandler("h" * 32, HttpResponse(status=409))
    run_idempotent(api_request(), handler)
    run_idempotent(api_request(), handler)
    assert handler.calls == 2
    assert not IdempotencyRecord.objects.exists()
    assert not Session.objects.exists()


def test_without_a_refusal_the_writes_and_the_answer_commit_together() -> None:
    def handler() -> HttpResponseBase:
        write_then("i" * 32, refuse=False)
        return HttpResponseRedirect("/selesai/")

    with CaptureQueriesContext(connection) as queries:
        response = run_idempotent(api_request(), handler)
    assert response.status_code == 302
    assert Session.objects.filter(session_key="i" * 32).exists()
    assert IdempotencyRecord.objects.get().response_location == "/selesai/"
    # The claim's own block (a savepoint here, inside the test's transaction) and no other.
    assert _savepoints(queries) == 1


def test_an_application_error_raised_through_the_handler_rolls_everything_back() -> None:
    def handler() -> HttpResponseBase:
        write_then("j" * 32, refuse=False)
        raise ApplicationError("x.y", "Ditolak.", status=409)

    with pytest.raises(ApplicationError):
        run_idempotent(api_request(), handler)
    assert not Session.objects.exists()
    assert not IdempotencyRecord.objects.exists()
