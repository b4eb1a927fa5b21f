"""Payments over the API (django-ninja), mounted at ``/api/v1/payments``.

Participant: ``GET /me`` (timeline), ``POST /me/account/code`` (SMS code for a change),
``PUT /me/account``, ``POST /me/surveys/{id}``. Treasury: ``GET /due``, ``POST /batches``,
``POST /batches/{id}/approve``, ``GET /batches/{id}/file/{layout}``, ``POST /results``
(multipart ``file``), ``GET /report``. Thin: refusals come from the services as
``ApplicationError`` and are turned into ``{"code", "message", "field"}`` by ``config.api``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Path, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.core.exports import csv_file_response
from prakerja.enrolment import selectors as enrolment_selectors
from prakerja.payments import selectors
from prakerja.payments.errors import PaymentError
from prakerja.payments.services import accounts, batches, reconciliation, schedule
from prakerja.registry.api import ErrorOut

router = Router(auth=API_AUTH, tags=["pembayaran"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422)}
MAX_ID = 2**62
Id = Annotated[int, Path(..., ge=1, lt=MAX_ID)]


class AccountOut(Schema):
    channel: str
    provider: str
    number_last4: str
    holder_name: str
    name_check: str = Field(..., description="matched | review | rejected")
    blocked_until: Any = None


class InstalmentOut(Schema):
    id: int | None = Field(..., description="null for an instalment still scheduled")
    label: str
    sequence: int
    amount: int
    due_on: date
    status: str = Field(..., description="scheduled | due | in_batch | paid")
    problem: str


class SurveyOut(Schema):
    id: int
    number: int
    title: str
    opens_on: date | None
    answered: bool
    questions: list[dict[str, Any]]


class TimelineOut(Schema):
    account: AccountOut | None
    instalments: list[InstalmentOut]
    surveys: list[SurveyOut]
    training_balance: int


class AccountIn(Schema):
    channel: str = Field(..., max_length=10)
    provider: str = Field(..., max_length=12)
    number: str = Field(..., max_length=30)
    holder_name: str = Field(..., max_length=150)
    code: str = Field("", max_length=10, description="Kode SMS; wajib bila mengganti rekening")


class AnswersIn(Schema):
    answers: dict[str, Annotated[str, Field(max_length=100)]] = Field(..., max_length=20)


class BatchIn(Schema):
    regency: str = Field("", max_length=4, pattern=r"^(\d{4})?$")
    channel: str = Field("", max_length=10)


class BatchOut(Schema):
    id: int
    code: str
    status: str
    line_count: int
    total: int


class ResultOut(Schema):
    import_id: int
    lines: int
    paid: int
    failed: int
    returned: int
    problems: list[dict[str, Any]]


def _actor(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _timeline(actor: User) -> dict[str, Any]:
    participant = enrolment_selectors.participant_for_actor(actor=actor)
    if participant is None or participant.status != "active":
        raise ApplicationError(
            PaymentError.NOT_PARTICIPANT,
            _("Halaman ini untuk peserta pelatihan yang aktif."),
            status=403,
        )
    timeline = selectors.participant_timeline(participant=participant)
    account = timeline.account
    return {
        "account": None
        if account is None
        else {
            "channel": account.channel,
            "provider": account.provider,
            "number_last4": account.number_last4,
            "holder_name": account.holder_name,
            "name_check": account.name_check,
            "blocked_until": account.blocked_until,
        },
        "instalments": [
            {
                "id": row.pk,
                "label": row.rule.label,
                "sequence": row.sequence,
                "amount": row.amount,
                "due_on": row.due_on,
                "status": row.status,
                "problem": row.problem,
            }
            for row in timeline.instalments
        ],
        "surveys": [
            {
                "id": state.survey.pk,
                "number": state.survey.number,
                "title": state.survey.title,
                "opens_on": state.opens_on,
                "answered": state.answered_at is not None,
                "questions": state.survey.questions,
            }
            for state in timeline.surveys
        ],
        "training_balance": participant.balance,
    }


@router.get("/me", response={200: TimelineOut, **ERRORS}, summary="Pembayaran saya")
def me(request: HttpRequest) -> dict[str, Any]:
    return _timeline(_actor(request))


@router.post("/me/account/code", response={204: None, **ERRORS}, summary="Kirim kode SMS")
def account_code(request: HttpRequest) -> Status[None]:
    accounts.change_code_send(actor=_actor(request))
    return Status(204, None)


@router.put("/me/account", response={200: TimelineOut, **ERRORS}, summary="Simpan rekening")
def account_put(request: HttpRequest, payload: AccountIn) -> dict[str, Any]:
    actor = _actor(request)
    accounts.account_register(actor=actor, **payload.dict())
    return _timeline(actor)


@router.post("/me/surveys/{survey_id}", response={201: None, **ERRORS}, summary="Isi survei")
def survey_post(request: HttpRequest, survey_id: Id, payload: AnswersIn) -> Status[None]:
    schedule.survey_answer(actor=_actor(request), survey_id=survey_id, answers=payload.answers)
    return Status(201, None)


@router.get("/due", response={200: dict[str, int], **ERRORS}, summary="Siap dibayar")
def due(request: HttpRequest) -> dict[str, int]:
    return selectors.due_summary(actor=_actor(request))


def _batch_out(batch: Any) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "code": batch.code,
        "status": batch.status,
        "line_count": batch.line_count,
        "total": batch.total,
    }


@router.post("/batches", response={201: BatchOut, **ERRORS}, summary="Susun batch")
def batch_post(request: HttpRequest, payload: BatchIn) -> Status[dict[str, Any]]:
    batch = batches.batch_build(
        actor=_actor(request), regency_code=payload.regency, channel=payload.channel
    )
    return Status(201, _batch_out(batch))


@router.post(
    "/batches/{batch_id}/approve", response={200: BatchOut, **ERRORS}, summary="Setujui batch"
)
def batch_approve(request: HttpRequest, batch_id: Id) -> dict[str, Any]:
    return _batch_out(batches.batch_approve(actor=_actor(request), batch_id=batch_id))


@router.get(
    "/batches/{batch_id}/file/{layout}",
    response={200: None, **ERRORS},
    summary="Berkas bank (CSV)",
    description="layout: bank | ewallet. Hanya batch yang sudah disetujui.",
)
def batch_file(
    request: HttpRequest, batch_id: Id, layout: Annotated[str, Path(..., max_length=10)]
) -> HttpResponse:
    exported = batches.batch_export(actor=_actor(request), batch_id=batch_id, layout=layout)
    return csv_file_response(filename=exported.name, content=exported.content)


@router.post("/results", response={200: ResultOut, **ERRORS}, summary="Impor hasil bank")
def results_post(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    if file.size is not None and file.size > reconciliation.MAX_BYTES:
        raise ApplicationError(
            PaymentError.RESULT_FILE_TOO_LARGE,
            _("Berkas hasil bank terlalu besar (paling besar 20 MB)."),
            field="file",
            status=413,
        )
    summary = reconciliation.result_import(
        actor=_actor(request), name=file.name or "", content=file.read()
    )
    return summary.__dict__


@router.get("/report", response={200: list[dict[str, Any]], **ERRORS}, summary="Laporan")
def report(request: HttpRequest) -> list[dict[str, Any]]:
    return [row.__dict__ for row in selectors.report_by_regency_month(actor=_actor(request))]
