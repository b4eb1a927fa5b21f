"""Idempotent submissions (SPEC §3.2, §4 "no data loss"): a retry never runs a write twice.

Two surfaces share one table (``IdempotencyRecord``) and one claim protocol:

* **API** — the client sends ``Idempotency-Key: <1–100 of [A-Za-z0-9_-]>`` on POST/PATCH/DELETE.
  Put ``@idempotent`` under the router decorator of a django-ninja operation::

      @router.post("", response={201: RegistrationOut})
      @idempotent
      def registration_create(request, payload: RegistrationIn): ...

  Same key + same body → the first response again (status and body, plus the header
  ``Idempotent-Replayed: true``); same key + another body → 422 ``idempotency.key_reused``;
  the first request still running → 409 ``idempotency.in_progress``. Without the header the
  operation runs as usual (the key is optional, as in Stripe's API).
  For a plain Django view or any other callable: ``run_idempotent(request, handler)``.

* **HTML forms** — put ``{% submission_token_input %}`` (``{% load idempotency %}``) inside the
  ``<form>`` and ``@once_per_submission_token`` on the view. A repeated POST of the same token
  (double click, the browser resubmitting after a dropped connection at a posko) is answered
  with a redirect to the result of the first submission instead of running the view again.
  The view must answer a successful POST with a redirect (post/redirect/get); any other answer
  (the form re-rendered with errors) releases the token so the corrected form can be sent.

The protocol: one transaction holds the claim, the handler's writes and the stored answer.
The claim is an ``INSERT … ON CONFLICT DO NOTHING`` into the unique (scope, key) index, made
first. A concurrent duplicate's INSERT waits on that index entry until the first transaction
ends: when it commits, the duplicate finds the finished record and replays its answer; when it
rolls back (the handler raised, the worker or its host died), the duplicate claims the key
and runs. So no claim is ever seen "in progress" by another request, a retry after a crash
never waits, and an acknowledged response is always replayable. An answer that must not be
kept (5xx/401/403/408/409/429, a form re-rendered with its errors) deletes the claim in the
same transaction. A duplicate arriving from inside the first's own handler gets 409.
The services the handler calls (``@service_atomic``) skip their savepoints: a refusal raised
from one rolls the whole transaction back instead, and an answer to keep is then stored on its
own (``core.units``).
Records older than 24 hours are pruned (``manage.py idempotency_prune``); a record left
``in_progress`` by the earlier two-transaction protocol is taken over after
``IDEMPOTENCY_STALE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connection, transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError, CoreError
from prakerja.core.hashing import secret_hash
from prakerja.core.models import IdempotencyRecord
from prakerja.core.rowsql import update_by_key
from prakerja.core.units import unit_of_work

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SUBMISSION_TOKEN_FIELD = "submission_token"  # noqa: S105 - a form field name, not a secret
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,100}", re.ASCII)
RECORD_TTL = timedelta(hours=24)
# Longer than any request may run: an older in-progress claim (left by the earlier
# two-transaction protocol) belongs to a worker that was killed, and must not block the retry
# for a whole day.
DEFAULT_STALE_SECONDS = 120
# Answers that say "try again later" or "not you": replaying them would lock the key on a
# transient failure, so the claim is released instead.
_RELEASED_STATUSES = frozenset({401, 403, 408, 409, 429})
_FORM_IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken", SUBMISSION_TOKEN_FIELD})

Handler = Callable[[], HttpResponseBase]
F = TypeVar("F", bound=Callable[..., Any])


class IdempotencyInProgress(ApplicationError):
    status = 409


class IdempotencyKeyReused(ApplicationError):
    status = 422


def _in_progress() -> IdempotencyInProgress:
    return IdempotencyInProgress(
        "idempotency.in_progress",
        _(
            "Permintaan dengan kunci yang sama masih diproses. Tunggu sebentar, lalu kirim "
            "ulang dengan kunci yang sama."
        ),
    )


def _key_reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "idempotency.key_reused",
        _(
            "Kunci Idempotency-Key ini sudah dipakai untuk permintaan dengan isi yang berbeda. "
            "Gunakan kunci baru untuk permintaan baru."
        ),
        field=KEY_HEADER,
    )


def _key_invalid() -> ApplicationError:
    return ApplicationError(
        CoreError.IDEMPOTENCY_KEY_INVALID,
        _("Idempotency-Key harus 1–100 karakter berupa huruf, angka, garis bawah, atau tanda -."),
        field=KEY_HEADER,
        status=422,
    )


# --- Fingerprint and scope ---------------------------------------------------------------


def _canonical_body(request: HttpRequest, ignore: Iterable[str]) -> bytes:
    ignored = frozenset(ignore)
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Field order and the per-render CSRF token say nothing about what is being submitted.
        fields = sorted(
            (name, value)
            for name in request.POST
            if name not in ignored
            for value in request.POST.getlist(name)
        )
        files = sorted(
            (name, upload.name or "", upload.size or 0)
            for name in request.FILES
            for upload in request.FILES.getlist(name)
        )
        return json.dumps([fields, files], ensure_ascii=False).encode("utf-8")
    body = request.body
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return body
        # Key order and whitespace differ between client libraries, not between requests.
        return json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return body


def request_fingerprint(request: HttpRequest, *, ignore: Iterable[str] = ()) -> str:
    """sha256 of method + path (with query) + canonical body."""
    digest = hashlib.sha256()
    digest.update(request.method.encode("ascii") if request.method else b"")
    digest.update(b"\n")
    digest.update(request.get_full_path().encode("utf-8"))
    digest.update(b"\n")
    digest.update(_canonical_body(request, ignore))
    return digest.hexdigest()


def request_scope(request: HttpRequest, *, session_fallback: bool = False) -> str:
    """Whose key this is: the signed-in user, else the API token, else the session/anonymous."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.headers.get("Authorization", "")
    if authorization:
        # A hash, never the token itself: this table is readable in the admin and backups.
        return "token:" + secret_hash(authorization)[:40]
    if session_fallback and hasattr(request, "session"):
        if request.session.session_key is None:
            request.session.save()
        return f"session:{request.session.session_key}"
    return "anon"


# --- The claim protocol ------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """Either a fresh claim (``record`` is ours, run the handler) or an earlier answer."""

    record: IdempotencyRecord
    claimed: bool


def _stale_before(now: datetime) -> datetime:
    seconds = getattr(settings, "IDEMPOTENCY_STALE_SECONDS", DEFAULT_STALE_SECONDS)
    return now - timedelta(seconds=seconds)


_CLAIM_COLUMNS = (
    "scope",
    "key",
    "fingerprint",
    "status",
    "response_body",
    "response_content_type",
    "response_location",
    "created_at",
)


def _claim_insert(*, scope: str, key: str, fingerprint: str, now: datetime) -> int | None:
    """The claim's INSERT; its id, or None when (scope, key) is taken (after waiting for the
    transaction that holds it, if any, to end)."""
    q = connection.ops.quote_name
    columns = ", ".join(q(name) for name in _CLAIM_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(IdempotencyRecord._meta.db_table)} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '', '', '', %s) "
            f"ON CONFLICT ({q('scope')}, {q('key')}) DO NOTHING RETURNING {q('id')}",
            [
                scope,
                key,
                fingerprint,
                IdempotencyRecord.Status.IN_PROGRESS,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def idempotency_claim(*, scope: str, key: str, fingerprint: str) -> Claim:
    """Claim ``key`` in ``scope``, or return the earlier record; raises 409/422 errors.

    Runs inside the transaction that also runs the handler and stores its answer
    (``_run_claimed``): the claim becomes visible to others only with the answer.
    """
    for _attempt in range(3):
        now = timezone.now()
        claimed = _claim_insert(scope=scope, key=key, fingerprint=fingerprint, now=now)
        if claimed is not None:
            record = IdempotencyRecord(
                pk=claimed, scope=scope, key=key, fingerprint=fingerprint, created_at=now
            )
            return Claim(record=record, claimed=True)
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue  # pruned in between: claim it now
        expired = existing.created_at < now - RECORD_TTL
        stale = (
            existing.status == IdempotencyRecord.Status.IN_PROGRESS
            and existing.created_at < _stale_before(now)
        )
        if expired or stale:
            # Conditional delete: of two retries taking over the same record, one deletes it
            # and both go round again, where the INSERT picks exactly one winner.
            IdempotencyRecord.objects.filter(
                pk=existing.pk, status=existing.status, created_at=existing.created_at
            ).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise _key_reused()
        if existing.status == IdempotencyRecord.Status.IN_PROGRESS:
            raise _in_progress()
        return Claim(record=existing, claimed=False)
    raise _in_progress()


def idempotency_release(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(
        pk=record.pk, status=IdempotencyRecord.Status.IN_PROGRESS
    ).delete()


def _storable_body(response: HttpResponseBase) -> str | None:
    if getattr(response, "streaming", False) or not isinstance(response, HttpResponse):
        return None
    try:
        return response.content.decode(response.charset or "utf-8")
    except UnicodeDecodeError:
        return None


_DONE_COLUMNS = (
    "status",
    "response_status",
    "response_body",
    "response_content_type",
    "response_location",
)


def _complete(record: IdempotencyRecord, response: HttpResponseBase, body: str) -> None:
    """Store the answer on the claim: ``record.save(update_fields=…)`` of the answer's
    fields as one hand-written UPDATE, as the claim's INSERT is (every POST of the wizard
    runs it; the model has no signal receivers nor history)."""
    record.status = IdempotencyRecord.Status.DONE
    record.response_status = response.status_code
    record.response_body = body
    record.response_content_type = response.get("Content-Type", "")[:100]
    record.response_location = response.get("Location", "")[:500]
    update_by_key(
        IdempotencyRecord,
        _DONE_COLUMNS,
        [getattr(record, name) for name in _DONE_COLUMNS],
        key=record.pk,
    )


def replay(record: IdempotencyRecord) -> HttpResponse:
    """The stored answer, byte for byte, marked as a replay."""
    assert record.response_status is not None
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_content_type or None,
    )
    if record.response_location:
        response["Location"] = record.response_location
    response[REPLAYED_HEADER] = "true"
    return response


def _claimed_run(
    *,
    scope: str,
    key: str,
    fingerprint: str,
    handler: Handler,
    keep: Callable[[HttpResponseBase], str | None],
    replayed: Callable[[IdempotencyRecord], HttpResponseBase],
) -> HttpResponseBase:
    """Claim, run and store in one transaction (see the module docstring)."""
    with transaction.atomic():
        claim = idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
        if not claim.claimed:
            return replayed(claim.record)
        # The services the handler calls skip their savepoints (core.units).
        with unit_of_work() as unit:
            response = handler()
        body = keep(response)
        if unit.refused:
            # A service refused after the handler entered it: nothing of this transaction is
            # committed, the claim included (as a savepoint would have undone the service).
            transaction.set_rollback(True)
        elif body is None:
            idempotency_release(record=claim.record)
        else:
            _complete(claim.record, response, body)
    if unit.refused and body is not None:
        _answer_store(scope=scope, key=key, fingerprint=fingerprint, response=response, body=body)
    return response


def _answer_store(
    *, scope: str, key: str, fingerprint: str, response: HttpResponseBase, body: str
) -> None:
    """Keep the answer of a rolled-back run (a refusal to replay), in a statement of its own.

    A duplicate that claimed the key in between keeps its own answer."""
    q = connection.ops.quote_name
    columns = ", ".join(q(name) for name in (*_CLAIM_COLUMNS, "response_status"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(IdempotencyRecord._meta.db_table)} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT ({q('scope')}, {q('key')}) DO NOTHING",
            [
                scope,
                key,
                fingerprint,
                IdempotencyRecord.Status.DONE,
                body,
                response.get("Content-Type", "")[:100],
                response.get("Location", "")[:500],
                connection.ops.adapt_datetimefield_value(timezone.now()),
                response.status_code,
            ],
        )


def _keep_api_response(response: HttpResponseBase) -> str | None:
    if response.status_code >= 500 or response.status_code in _RELEASED_STATUSES:
        return None
    return _storable_body(response)


def run_idempotent(request: HttpRequest, handler: Handler) -> HttpResponseBase:
    """Run ``handler`` at most once per ``Idempotency-Key`` (see the module docstring).

    Raises ``ApplicationError`` (409/422) for a key in progress, reused or malformed; a
    django-ninja operation decorated with ``@idempotent`` turns those into the API's JSON error.
    """
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return handler()
    if not KEY_PATTERN.fullmatch(key):
        raise _key_invalid()
    return _claimed_run(
        scope=request_scope(request),
        key=key,
        fingerprint=request_fingerprint(request),
        handler=handler,
        keep=_keep_api_response,
        replayed=replay,
    )


IDEMPOTENCY_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": KEY_HEADER,
            "required": False,
            "description": (
                "Kunci unik per permintaan (1–100 karakter A-Z a-z 0-9 _ -). Kirim ulang dengan "
                "kunci yang sama untuk mendapatkan tanggapan pertama tanpa menulis dua kali."
            ),
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"},
        }
    ],
    "responses": {
        409: {
            "description": "Permintaan dengan kunci yang sama masih diproses",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
        422: {
            "description": "Isian tidak valid, atau kunci dipakai untuk isi yang berbeda",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    },
}


def _idempotent_run(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    # ``run`` is the bound ``Operation.run`` of the operation as mounted on the API (ninja
    # clones operations per API and re-applies run decorators to each clone).
    operation = getattr(run, "__self__", None)

    @wraps(run)
    def run_once(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            return run_idempotent(request, lambda: run(request, **kwargs))
        except ApplicationError as exc:
            if operation is not None:
                return operation.api.on_exception(request, exc)
            return JsonResponse(exc.as_dict(), status=exc.status)

    return run_once


def _document(operation: Any) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), *IDEMPOTENCY_OPENAPI["parameters"]]
    extra["responses"] = {**extra.get("responses", {}), **IDEMPOTENCY_OPENAPI["responses"]}
    operation.openapi_extra = extra


def idempotent(op_func: F) -> F:
    """Make a django-ninja operation honour ``Idempotency-Key``. Put it *under* ``@router.post``.

    It wraps the operation's ``run`` (through ``ninja.decorators.decorate_view``), so what is
    stored and replayed is the final HTTP response, serialised by the response schema, with
    ApplicationErrors already turned into the API's JSON errors. The header is documented in
    the OpenAPI document with the 409 and 422 answers.
    """
    from ninja.decorators import decorate_view
    from ninja.utils import contribute_operation_callback

    decorate_view(_idempotent_run)(op_func)
    contribute_operation_callback(op_func, _document)
    return op_func


# --- HTML forms --------------------------------------------------------------------------


def form_token_issue(request: HttpRequest) -> str:
    """A submission token for a form about to be rendered.

    A form re-rendered after a refused POST keeps the token it was sent with (the refusal
    released it), so the page the officer corrects is still the same submission.
    """
    if request.method == "POST":
        posted = request.POST.get(SUBMISSION_TOKEN_FIELD, "")
        if KEY_PATTERN.fullmatch(posted):
            return posted
    return str(uuid.uuid4())


def _keep_form_response(response: HttpResponseBase) -> str | None:
    # Only a redirect (post/redirect/get) says "done, the result is there".
    if response.status_code in (301, 302, 303) and response.get("Location"):
        return ""
    return None


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def once_per_submission_token(view: V) -> V:
    """Run a form view's POST at most once per ``submission_token`` (see the module docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token = request.POST.get(SUBMISSION_TOKEN_FIELD, "")
        if not KEY_PATTERN.fullmatch(token):
            raise ApplicationError(
                CoreError.SUBMISSION_TOKEN_MISSING,
                _(
                    "Formulir ini tidak lengkap atau sudah kedaluwarsa. Muat ulang halaman, "
                    "lalu kirim kembali."
                ),
                status=400,
            )
        try:
            return _claimed_run(
                scope=request_scope(request, session_fallback=True),
                key=token,
                fingerprint=request_fingerprint(request, ignore=_FORM_IGNORED_FIELDS),
                handler=lambda: view(request, *args, **kwargs),
                keep=_keep_form_response,
                replayed=_form_replay,
            )
        except IdempotencyInProgress:
            return render(request, "core/submission_in_progress.html", status=409)
        except IdempotencyKeyReused as exc:
            raise ApplicationError(
                CoreError.SUBMISSION_TOKEN_REUSED,
                _(
                    "Formulir ini sudah pernah dikirim dengan isian lain. Buka formulir baru "
                    "untuk mengirim data yang berbeda."
                ),
                status=exc.status,
            ) from None

    return cast(V, wrapper)


def _form_replay(record: IdempotencyRecord) -> HttpResponseBase:
    if record.response_location:
        return HttpResponseRedirect(record.response_location)
    return replay(record)


# --- Housekeeping ------------------------------------------------------------------------


def idempotency_prune(*, now: datetime | None = None) -> int:
    """Delete records older than 24 hours; returns how many."""
    cutoff = (now or timezone.now()) - RECORD_TTL
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
