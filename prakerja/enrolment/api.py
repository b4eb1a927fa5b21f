"""The participant's training balance, enrolments and cancellations over the API (django-ninja),
mounted at ``/api/v1/enrolment``.

Thin: parse (schemas bound every size), fetch, call one service or selector. Refusals come
from the services as ``ApplicationError`` (409 with the reason: balance too low, batch full
or started, course not published, participant revoked, already enrolled) and are turned into
``{"code", "message", "field"}`` in ``config.api``. Writes take an ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router, Schema
from ninja.responses import Status
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.models import User
from prakerja.core.errors import NotFound
from prakerja.core.idempotency import idempotent
from prakerja.enrolment import selectors
from prakerja.enrolment.errors import EnrolmentError
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.services.enrolments import (
    batch_get,
    enrolment_cancel,
    enrolment_create,
    enrolment_get_for_actor,
    enrolment_quote,
)
from prakerja.registry.api import ErrorOut

router = Router(auth=API_AUTH, tags=["enrolment"])

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
MAX_ID = 2**62
Id = Annotated[int, Path(..., ge=1, lt=MAX_ID)]


class LedgerLineOut(Schema):
    created_at: datetime
    reason: str = Field(..., description="grant | enrol | cancel | revoke")
    amount: int = Field(..., description="Rupiah; positif = kredit, negatif = debit")
    balance_after: int
    course_title: str | None


class BatchOut(Schema):
    id: int
    course_id: int
    course_title: str
    provider_name: str
    mode: str
    starts_on: date
    ends_on: date
    seats: int
    seats_left: int


class EnrolmentOut(Schema):
    id: int
    batch: BatchOut
    price: int
    status: str = Field(..., description="enrolled | cancelled | completed | failed")
    enrolled_at: datetime
    cancelled_at: datetime | None
    balance_after: int = Field(..., description="Saldo peserta setelah perubahan ini (Rupiah)")


class ParticipantOut(Schema):
    id: int
    status: str = Field(..., description="active | revoked")
    wave: int
    registration_reference: str
    balance: int = Field(..., description="Saldo pelatihan (Rupiah, bilangan bulat)")
    selected_at: datetime
    enrol_by: datetime
    first_enrolled_at: datetime | None
    revoked_at: datetime | None
    promoted_from_waiting: bool
    ledger: list[LedgerLineOut]
    enrolments: list[EnrolmentOut]


class QuoteOut(Schema):
    batch: BatchOut
    price: int
    balance_before: int
    balance_after: int


class EnrolIn(Schema):
    batch_id: int = Field(..., ge=1, lt=MAX_ID)
    price: int | None = Field(
        None,
        ge=0,
        le=10**12,
        description="Harga yang disetujui peserta; bila harga berubah, ditolak 409",
    )


def _actor(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _participant(actor: User) -> Participant:
    participant = selectors.participant_for_actor(actor=actor)
    if participant is None:
        raise NotFound(
            EnrolmentError.NOT_PARTICIPANT,
            _("Anda belum menjadi peserta pelatihan (belum terpilih di gelombang mana pun)."),
        )
    return participant


def _batch_out(batch: Any) -> dict[str, Any]:
    course = batch.course
    return {
        "id": batch.pk,
        "course_id": course.pk,
        "course_title": course.title,
        "provider_name": course.provider.name,
        "mode": course.mode,
        "starts_on": batch.starts_on,
        "ends_on": batch.ends_on,
        "seats": batch.seats,
        "seats_left": batch.seats - batch.seats_taken,
    }


def _enrolment_out(enrolment: Enrolment, balance: int) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "batch": _batch_out(enrolment.batch),
        "price": enrolment.price,
        "status": enrolment.status,
        "enrolled_at": enrolment.enrolled_at,
        "cancelled_at": enrolment.cancelled_at,
        "balance_after": balance,
    }


@router.get(
    "/me",
    response={200: ParticipantOut, **ERRORS},
    summary="Pelatihan saya",
    description="Saldo pelatihan, batas membeli pelatihan pertama, riwayat saldo, pendaftaran.",
)
def my_training(request: HttpRequest) -> dict[str, Any]:
    participant = _participant(_actor(request))
    return {
        "id": participant.pk,
        "status": participant.status,
        "wave": participant.wave_id,
        "registration_reference": participant.registration.reference,
        "balance": participant.balance,
        "selected_at": participant.selected_at,
        "enrol_by": participant.enrol_by,
        "first_enrolled_at": participant.first_enrolled_at,
        "revoked_at": participant.revoked_at,
        "promoted_from_waiting": participant.promoted_from_waiting,
        "ledger": [line.__dict__ for line in selectors.participant_ledger(participant=participant)],
        "enrolments": [
            _enrolment_out(e, participant.balance)
            for e in selectors.participant_enrolments(participant=participant)
        ],
    }


@router.get(
    "/batches/{batch_id}/quote",
    response={200: QuoteOut, **ERRORS},
    summary="Periksa sebelum mendaftar",
    description="Harga dan saldo sebelum/sesudah; 409 dengan alasan bila tidak dapat mendaftar.",
)
def quote(request: HttpRequest, batch_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    participant = _participant(actor)
    batch = batch_get(batch_id=batch_id)
    numbers = enrolment_quote(actor=actor, participant=participant, batch=batch)
    return {
        "batch": _batch_out(batch),
        "price": numbers.price,
        "balance_before": numbers.balance_before,
        "balance_after": numbers.balance_after,
    }


@router.post(
    "/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    summary="Daftar pelatihan",
    description=(
        "Membayar harga dari saldo dan mengambil satu kursi. Ditolak 409 bila saldo kurang, "
        "angkatan penuh atau sudah dimulai, pelatihan belum terbit, kepesertaan dicabut, "
        "atau sudah terdaftar; tidak ada yang berubah."
    ),
)
@idempotent
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    participant = _participant(actor)
    enrolment = enrolment_create(
        actor=actor,
        participant=participant,
        batch=batch_get(batch_id=payload.batch_id),
        price=payload.price,
    )
    return Status(201, _enrolment_out(enrolment, participant.balance))


@router.get(
    "/enrolments/{enrolment_id}",
    response={200: EnrolmentOut, **ERRORS},
    summary="Rincian pendaftaran pelatihan",
)
def enrolment_detail(request: HttpRequest, enrolment_id: Id) -> dict[str, Any]:
    enrolment = enrolment_get_for_actor(actor=_actor(request), enrolment_id=enrolment_id)
    return _enrolment_out(enrolment, enrolment.participant.balance)


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response={200: EnrolmentOut, **ERRORS},
    summary="Batalkan pendaftaran pelatihan",
    description="Sebelum angkatan dimulai: kursi dan saldo dikembalikan. Setelahnya ditolak 409.",
)
@idempotent
def cancel(request: HttpRequest, enrolment_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    enrolment = enrolment_get_for_actor(actor=actor, enrolment_id=enrolment_id)
    enrolment = enrolment_cancel(actor=actor, enrolment=enrolment)
    return _enrolment_out(enrolment, enrolment.participant.balance)
