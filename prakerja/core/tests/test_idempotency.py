"""The claim protocol behind ``Idempotency-Key`` and form submission tokens.

The API surface is tested on a real endpoint in ``assistance/console/tests/test_api.py``;
here: the generic helpers, the form decorator, expiry, and the race on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.test import RequestFactory
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import (
    form_token_issue,
    idempotency_prune,
    once_per_submission_token,
    request_fingerprint,
    run_idempotent,
)
from prakerja.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def api_request(body: str = '{"a": 1}', key: str | None = "key-1", user: Any = None) -> HttpRequest:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    request = RequestFactory().post("/api/v1/x", body, content_type="application/json", **headers)
    request.user = user or AnonymousUser()
    return request


class Counter:
    def __init__(self, response: HttpResponseBase | None = None) -> None:
        self.calls = 0
        self.response = response or HttpResponse(
            '{"ok":true}', status=201, content_type="application/json"
        )

    def __call__(self) -> HttpResponseBase:
        self.calls += 1
        return self.response


def test_it_runs_the_handler_once_and_replays_status_and_body() -> None:
    handler = Counter()
    first = run_idempotent(api_request(), handler)
    second = run_idempotent(api_request(), handler)
    assert isinstance(first, HttpResponse) and isinstance(second, HttpResponse)
    assert handler.calls == 1
    assert (second.status_code, second.content, second["Content-Type"]) == (
        201,
        b'{"ok":true}',
        "application/json",
    )
    assert first.content == second.content


def test_it_scopes_keys_per_user(applicant: User, officer: User) -> None:
    handler = Counter()
    run_idempotent(api_request(user=applicant), handler)
    run_idempotent(api_request(user=officer), handler)
    assert handler.calls == 2


def test_it_refuses_another_body_with_the_same_key() -> None:
    run_idempotent(api_request('{"a": 1}'), Counter())
    with pytest.raises(ApplicationError) as caught:
        run_idempotent(api_request('{"a": 2}'), Counter())
    assert (caught.value.code, caught.value.status) == ("idempotency.key_reused", 422)


def test_it_answers_in_progress_to_a_duplicate_arriving_during_the_first() -> None:
    seen: list[str] = []

    def first() -> HttpResponse:
        # The duplicate arrives while the first request is still in its handler.
        try:
            run_idempotent(api_request(), Counter())
        except ApplicationError as exc:
            seen.append(f"{exc.code} {exc.status}")
        return HttpResponse("{}", content_type="application/json")

    run_idempotent(api_request(), first)
    assert seen == ["idempotency.in_progress 409"]


def test_it_deletes_the_claim_when_the_handler_raises_so_a_retry_runs() -> None:
    def broken() -> HttpResponse:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        run_idempotent(api_request(), broken)
    assert not IdempotencyRecord.objects.exists()
    handler = Counter()
    run_idempotent(api_request(), handler)
    assert handler.calls == 1


def test_it_rolls_back_the_handlers_writes_with_the_claim() -> None:
    def writes_then_fails() -> HttpResponse:
        IdempotencyRecord.objects.create(scope="other", key="k", fingerprint="f")
        raise RuntimeError

    with pytest.raises(RuntimeError):
        run_idempotent(api_request(), writes_then_fails)
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("status", [500, 503, 401, 403, 409, 429])
def test_it_does_not_keep_transient_answers(status: int) -> None:
    handler = Counter(HttpResponse("{}", status=status))
    run_idempotent(api_request(), handler)
    run_idempotent(api_request(), handler)
    assert handler.calls == 2


def test_it_takes_over_a_claim_left_by_a_killed_worker() -> None:
    run_idempotent(api_request(), Counter())
    IdempotencyRecord.objects.update(
        status="in_progress", created_at=timezone.now() - timedelta(minutes=5)
    )
    handler = Counter()
    run_idempotent(api_request(), handler)
    assert handler.calls == 1


def test_prune_deletes_records_older_than_a_day() -> None:
    run_idempotent(api_request(key="old"), Counter())
    run_idempotent(api_request(key="new"), Counter())
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotency_prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    call_command("idempotency_prune", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- HTML forms --------------------------------------------------------------------------


def form_request(data: dict[str, str], user: Any = None) -> HttpRequest:
    request = RequestFactory().post("/formulir/", data)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


class FormView:
    """A view that creates one row per execution and redirects to it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        self.calls += 1
        if request.POST.get("name") == "":
            return HttpResponse("form with errors", status=200)
        return HttpResponseRedirect(f"/hasil/{self.calls}/")


def test_a_double_post_of_one_token_runs_once_and_redirects_to_the_first_result(
    officer: User,
) -> None:
    inner = FormView()
    view = once_per_submission_token(inner)
    data = {"submission_token": "2b7f1c1e-3a0c-4c5e-9a9c-0d3b8f8f1a11", "name": "Siti"}
    first = view(form_request(data, officer))
    second = view(form_request({**data, "csrfmiddlewaretoken": "another"}, officer))
    assert inner.calls == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == "/hasil/1/"


def test_a_form_re_rendered_with_errors_releases_its_token(officer: User) -> None:
    inner = FormView()
    view = once_per_submission_token(inner)
    token = "c0ffee00-0000-4000-8000-000000000001"
    assert view(form_request({"submission_token": token, "name": ""}, officer)).status_code == 200
    corrected = view(form_request({"submission_token": token, "name": "Siti"}, officer))
    assert corrected.status_code == 302
    assert inner.calls == 2


def test_a_post_without_a_token_is_refused(officer: User) -> None:
    with pytest.raises(ApplicationError) as caught:
        once_per_submission_token(FormView())(form_request({"name": "Siti"}, officer))
    assert (caught.value.code, caught.value.status) == ("submission_token.missing", 400)


def test_a_token_reused_for_other_data_is_refused(officer: User) -> None:
    view = once_per_submission_token(FormView())
    view(form_request({"submission_token": "t-1", "name": "Siti"}, officer))
    with pytest.raises(ApplicationError) as caught:
        view(form_request({"submission_token": "t-1", "name": "Budi"}, officer))
    assert (caught.value.code, caught.value.status) == ("submission_token.reused", 422)


def test_a_repeat_while_the_first_is_saving_gets_a_friendly_409_page(officer: User) -> None:
    answers: list[HttpResponseBase] = []
    data = {"submission_token": "t-2", "name": "Siti"}

    def slow(request: HttpRequest) -> HttpResponseBase:
        answers.append(view(form_request(data, officer)))
        return HttpResponseRedirect("/hasil/")

    view = once_per_submission_token(slow)
    view(form_request(data, officer))
    assert isinstance(answers[0], HttpResponse)
    assert answers[0].status_code == 409
    assert "Data Anda sedang disimpan" in answers[0].content.decode()


def test_anonymous_forms_are_scoped_by_session() -> None:
    inner = FormView()
    view = once_per_submission_token(inner)
    data = {"submission_token": "t-3", "name": "Siti"}
    view(form_request(data))
    view(form_request(data))
    assert inner.calls == 2  # two different sessions: two different people
    assert IdempotencyRecord.objects.filter(scope__startswith="session:").count() == 2


def test_form_token_issue_keeps_the_token_of_a_re_rendered_form() -> None:
    assert form_token_issue(form_request({"submission_token": "t-4"})) == "t-4"
    fresh = RequestFactory().get("/")
    assert len(form_token_issue(fresh)) == 36


# --- The race, for real (PostgreSQL) -----------------------------------------------------


@pytest.fixture(scope="module")
def region_tables_restored(django_db_blocker: Any) -> Iterator[None]:
    # A transactional test flushes every table when it ends, including the regions the root
    # conftest loads once per session. Module scope: this teardown runs after that flush.
    yield
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load(force=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("region_tables_restored")
def test_a_duplicate_arriving_during_the_first_waits_and_replays_its_answer() -> None:
    """The claim, the handler and the answer are one transaction: the duplicate's INSERT waits
    on the unique index until the first commits, then replays (no 409, no second run)."""
    barrier = threading.Barrier(2)
    calls: list[float] = []
    outcomes: list[tuple[int, str, float]] = []

    def handler() -> HttpResponse:
        calls.append(time.monotonic())
        # Hold the claim long enough for the other request to arrive meanwhile.
        time.sleep(1.0)
        return HttpResponse('{"ok":true}', content_type="application/json")

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            response = run_idempotent(api_request(), handler)
            outcomes.append(
                (response.status_code, response.get("Idempotent-Replayed", ""), time.monotonic())
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 1
    assert sorted((status, replayed) for status, replayed, _at in outcomes) == [
        (200, ""),
        (200, "true"),
    ]
    # The replay came after the first answer was stored, not before.
    assert all(at >= calls[0] + 1.0 for _status, _replayed, at in outcomes)
    assert IdempotencyRecord.objects.get().status == "done"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("region_tables_restored")
def test_a_claim_held_by_a_worker_that_dies_is_taken_by_the_retry_at_once() -> None:
    """A worker killed mid-request (its host gone) held the claim in an open transaction:
    PostgreSQL rolls it back when the session ends, and the waiting retry runs right then,
    instead of meeting a claim left "in progress" for minutes."""
    import psycopg

    params = connection.get_connection_params()
    request = api_request()
    victim = psycopg.connect(**params)  # the dying worker: its claim, never committed
    victim.execute(
        "INSERT INTO core_idempotencyrecord (scope, key, fingerprint, status, response_body, "
        "response_content_type, response_location, created_at) "
        "VALUES ('anon', 'key-1', %s, 'in_progress', '', '', '', now())",
        [request_fingerprint(request)],
    )
    pid = victim.info.backend_pid

    def kill() -> None:
        time.sleep(1.0)
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    killer = threading.Thread(target=kill)
    killer.start()
    started = time.monotonic()
    retry = Counter()
    response = run_idempotent(request, retry)
    killer.join(timeout=10)
    assert (retry.calls, response.status_code) == (1, 201)
    assert time.monotonic() - started >= 1.0  # it waited for the dying worker's transaction
    assert IdempotencyRecord.objects.get().status == "done"
