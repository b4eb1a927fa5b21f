from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.models import User
from prakerja.assistance import selectors, services
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import Appointment, Channel, Slot
from prakerja.assistance.selectors import PublicPost
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import idempotent

router = Router()
# Session (browser) or bearer token (apps, call-centre tools): the same API_AUTH as the
# registry endpoints.

# Primary keys are 64-bit: a bigger number would make PostgreSQL fail, so it is a 422 here.
MAX_ID = 2**63 - 1
POST_CODE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ErrorOut(Schema):
    code: str = Field(description="Kode galat yang stabil, mis. appointment.slot_full")
    message: str = Field(description="Pesan dalam bahasa Indonesia")
    field: str | None


class PostOut(Schema):
    code: str
    name: str
    kind: str
    regency_code: str
    regency_name: str
    opening_hours: str
    address: str | None = Field(description="Kosong bila alamat posko tidak dipublikasikan.")


class PostFilter(Schema):
    regency: str | None = Field(None, pattern=r"^\d{4}$", description="Kode kabupaten/kota")


@router.get("", response=list[PostOut], summary="Daftar posko pendampingan")
def posts(request: HttpRequest, filters: Query[PostFilter]) -> list[PublicPost]:
    return selectors.post_public_list(regency_code=filters.regency)


class PostPath(Schema):
    code: str = Field(..., min_length=1, max_length=60, pattern=POST_CODE)


class SlotQuery(Schema):
    date: str = Field(
        ..., min_length=10, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"
    )


class SlotOut(Schema):
    id: int
    date: dt.date
    start: str = Field(description="HH:MM, WIB")
    end: str = Field(description="HH:MM, WIB")
    free: int


def _slot_out(slot: Slot) -> SlotOut:
    return SlotOut(
        id=slot.pk,
        date=slot.date,
        start=f"{slot.start:%H:%M}",
        end=f"{slot.end:%H:%M}",
        free=slot.free,
    )


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(
            AssistanceError.SLOT_DATE_INVALID,
            _("Tanggal tidak valid. Tulis dengan format YYYY-MM-DD, misalnya 2026-05-04."),
            field="date",
        ) from None


@router.get(
    "/{code}/slots",
    response={200: list[SlotOut], 400: ErrorOut, 404: ErrorOut},
    summary="Jam kunjungan yang masih tersedia",
)
def slots_free(
    request: HttpRequest, path: Path[PostPath], query: Query[SlotQuery]
) -> list[SlotOut]:
    post = selectors.post_get_public(code=path.code)
    date = _parse_date(query.date)
    services.slots_generate(post=post, date=date)
    return [_slot_out(slot) for slot in selectors.slot_list_free(post=post, date=date)]


class BookingIn(Schema):
    slot_id: int = Field(..., ge=1, le=MAX_ID)


class AppointmentOut(Schema):
    id: int
    post_code: str
    post_name: str
    date: dt.date
    start: str
    end: str
    status: str
    channel: str
    address: str | None = Field(description="Alamat posko (ditampilkan bagi pemegang janji temu).")


def _appointment_out(request: HttpRequest, appointment: Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=appointment.pk,
        post_code=appointment.post.code,
        post_name=appointment.post.name,
        date=appointment.date,
        start=f"{appointment.slot.start:%H:%M}",
        end=f"{appointment.slot.end:%H:%M}",
        status=appointment.status,
        channel=appointment.channel,
        address=selectors.post_address_for_actor(actor=request.user, post=appointment.post),
    )


@router.post(
    "/{code}/appointments",
    auth=API_AUTH,
    response={201: AppointmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Pesan jadwal kunjungan (untuk diri sendiri)",
)
@idempotent
def appointment_create(request: HttpRequest, path: Path[PostPath], payload: BookingIn) -> Status:
    post = selectors.post_get_public(code=path.code)
    slot = selectors.slot_get_for_post(post=post, slot_id=payload.slot_id)
    applicant = request.user
    assert isinstance(applicant, User)  # API_AUTH lets only signed-in users through
    appointment = services.appointment_book(
        actor=applicant,
        slot=slot,
        applicant=applicant,
        registration=selectors.registration_of_applicant(applicant=applicant),
        channel=Channel.ONLINE,
    )
    return Status(201, _appointment_out(request, appointment))


class AppointmentPath(Schema):
    id: int = Field(..., ge=1, le=MAX_ID)


@router.delete(
    "/appointments/{id}",
    auth=API_AUTH,
    response={200: AppointmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Batalkan janji temu",
)
@idempotent
def appointment_delete(request: HttpRequest, path: Path[AppointmentPath]) -> AppointmentOut:
    appointment = selectors.appointment_get_for_actor(actor=request.user, appointment_id=path.id)
    appointment = services.appointment_cancel(actor=request.user, appointment=appointment)
    return _appointment_out(request, appointment)
