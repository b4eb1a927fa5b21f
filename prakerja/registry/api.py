"""Registrations over the API (django-ninja): start, fill in a step, submit, read the status.

Thin: parse (schemas cap every length, so no body reaches a service unbounded), fetch through
``registration_get_for_actor``, call one service. Errors come from the services as
``ApplicationError`` and are turned into ``{"code", "message", "field"}`` in ``config.api``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.models import Role, User
from prakerja.core import api_schemas as core_api_schemas
from prakerja.core.errors import PermissionDenied
from prakerja.core.idempotency import idempotent
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import Registration
from prakerja.registry.nik_guard import nik_guard
from prakerja.registry.references import MAX_INPUT_LENGTH
from prakerja.registry.selectors import (
    registration_get_for_actor,
    registration_missing_steps,
)
from prakerja.registry.services.draft import (
    registration_update_draft,
    registration_update_draft_all,
)
from prakerja.registry.services.registration import registration_get_or_start
from prakerja.registry.services.submission import registration_submit_by_reference
from prakerja.registry.steps import Step

router = Router(auth=API_AUTH)

StepCode = Literal[
    "identity", "contact", "domicile", "work", "education_disability", "consent", "test"
]
ReferencePath = Annotated[str, Path(..., max_length=MAX_INPUT_LENGTH)]


ErrorOut = core_api_schemas.ErrorOut  # shared by every router; kept here for old imports


# The registration flow's schemas are plain pydantic models, not ninja's ``Schema``: they are
# validated from JSON and from dicts only, never from model instances, and ``Schema``'s
# wrapping validator (each object read through ``DjangoGetter``, and an ``extra="forbid"``
# model validated twice) cost about a twentieth of the API flow's instructions (issue 17).
# Same fields, same errors, same OpenAPI document (compared whole when the change was made;
# ``tests/test_api.py`` pins the components' shape).


class IssueOut(BaseModel):
    code: str
    message: str


class RegistrationOut(BaseModel):
    reference: str = Field(..., description="Nomor pendaftaran, mis. PJ-7K3M-9Q2X")
    status: Literal["draft", "submitted", "ineligible"]
    channel: Literal["online", "post", "callcentre", "import"]
    missing_steps: list[StepCode] = Field(..., description="Langkah yang belum diisi")
    ineligibility_reasons: list[IssueOut]
    nik_warnings: list[IssueOut]
    nik_masked: str | None = Field(..., description="NIK tersamar, mis. 3578********0001")
    submitted_at: datetime | None


def _text(max_length: int) -> Any:
    return Field(None, max_length=max_length)


QuestionId = Annotated[str, StringConstraints(max_length=12, pattern=r"^[0-9]{1,12}$")]


class StepIn(BaseModel):
    """The fields of one step; send only those of the step in the path. Texts are checked by
    the service (Indonesian message per field); the schema only bounds their size."""

    model_config = ConfigDict(extra="forbid")

    nik: str | None = _text(64)
    kk: str | None = _text(64)
    full_name: str | None = _text(150)
    birth_place: str | None = _text(100)
    birth_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    gender: Literal["L", "P"] | None = None
    phone: str | None = _text(64)
    email: str | None = _text(254)
    regency: str | None = Field(None, max_length=4, description="Kode kabupaten/kota, mis. 3578")
    district: str | None = Field(None, max_length=6, description="Kode kecamatan, mis. 357801")
    address: str | None = _text(300)
    employment_status: (
        Literal[
            "laid_off",
            "furloughed",
            "migrant_worker",
            "laid_off_pre_covid",
            "job_seeker",
            "micro_business",
        ]
        | None
    ) = None
    migrant_reason: Literal["contract_ended", "in_trouble", "failed_to_depart"] | None = None
    occupation: (
        Literal[
            "none",
            "asn",
            "tni",
            "polri",
            "village_head",
            "village_official",
            "dpr",
            "dprd",
            "bumn_board",
            "bumd_board",
        ]
        | None
    ) = None
    last_employer: str | None = _text(200)
    last_employment_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    not_in_education: bool | None = None
    has_disability: bool | None = None
    disability_note: str | None = _text(200)
    consent: bool | None = None
    truthfulness: bool | None = None
    consent_version: str | None = _text(20)
    answers: dict[QuestionId, Annotated[int, Field(ge=0, le=99)]] | None = Field(
        None, max_length=100, description="Jawaban tes: {id soal: nomor pilihan (mulai 0)}"
    )


class StepsIn(BaseModel):
    """Several steps at once, each with the fields of its own step (``StepIn``)."""

    model_config = ConfigDict(extra="forbid")

    steps: dict[StepCode, StepIn] = Field(
        ...,
        min_length=1,
        description=(
            "Langkah yang diisi sekaligus, mis. satu halaman formulir: "
            '{"contact": {...}, "domicile": {...}}'
        ),
    )


def _actor(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _out(registration: Registration) -> dict[str, Any]:
    return {
        "reference": registration.reference,
        "status": registration.status,
        "channel": registration.channel,
        "missing_steps": [step.value for step in registration_missing_steps(registration)],
        "ineligibility_reasons": registration.ineligibility_reasons,
        "nik_warnings": registration.nik_warnings,
        "nik_masked": registration.person.nik_masked if registration.person else None,
        "submitted_at": registration.submitted_at,
    }


ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429, 503)}


@router.post(
    "",
    response={200: RegistrationOut, 201: RegistrationOut, **ERRORS},
    summary="Mulai pendaftaran",
    description=(
        "Membuat draf pendaftaran untuk pendaftar yang masuk (201), atau mengembalikan "
        "pendaftaran yang sudah ada (200)."
    ),
)
@idempotent
def registration_create(request: HttpRequest) -> Status[dict[str, Any]]:
    user = _actor(request)
    if user.role != Role.APPLICANT:
        raise PermissionDenied(
            RegistryErrorCode.APPLICANT_ONLY,
            _("Hanya akun pendaftar yang dapat memulai pendaftarannya sendiri."),
        )
    registration, created = registration_get_or_start(actor=user, user=user)
    return Status(201 if created else 200, _out(registration))


@router.get(
    "/{reference}",
    response={200: RegistrationOut, **ERRORS},
    summary="Status pendaftaran",
    description="Status, langkah yang belum diisi, dan alasan bila tidak memenuhi syarat.",
)
def registration_status(request: HttpRequest, reference: ReferencePath) -> dict[str, Any]:
    return _out(registration_get_for_actor(actor=_actor(request), reference=reference))


@router.patch(
    "/{reference}",
    response={200: RegistrationOut, **ERRORS},
    summary="Isi beberapa langkah sekaligus",
    description=(
        "Menyimpan beberapa langkah sebagai draf dalam satu permintaan, mis. langkah-langkah "
        "satu halaman formulir. Semua langkah diperiksa; bila ada isian yang salah, tidak ada "
        "yang disimpan dan jawaban 400 memuat setiap galat dengan nama langkahnya "
        "(errors[].field, mis. contact.phone). NIK yang sudah terdaftar di akun lain dijawab "
        "409 (registration.nik_taken); terlalu banyak NIK berbeda dalam satu jam dijawab 429 "
        "(registration.nik_rate_limited) dengan Retry-After."
    ),
)
@idempotent
def registration_steps_update(
    request: HttpRequest, reference: ReferencePath, payload: StepsIn
) -> dict[str, Any]:
    actor = _actor(request)
    steps: dict[Step | str, dict[str, Any]] = {
        step: data.model_dump(exclude_unset=True) for step, data in payload.steps.items()
    }
    identity = steps.get(Step.IDENTITY.value)
    # With a NIK in it: the NIK throttle, before anything is looked up by NIK, on the row the
    # service locked (one read of the registration).
    guard = (
        None
        if identity is None
        else lambda locked: nik_guard(
            request, actor=actor, registration=locked, step=Step.IDENTITY, data=identity
        )
    )
    registration = registration_update_draft_all(
        actor=actor, reference=reference, steps=steps, guard=guard
    )
    return _out(registration)


@router.post(
    "/{reference}/submit",
    response={200: RegistrationOut, **ERRORS},
    summary="Kirim pendaftaran",
    description=(
        "Mengirim pendaftaran yang lengkap dan menilai syarat kelayakan. Mengirim ulang "
        "pendaftaran yang sudah terkirim mengembalikan hasil yang sama."
    ),
)
@idempotent
def registration_submit_endpoint(request: HttpRequest, reference: ReferencePath) -> dict[str, Any]:
    # The service checks the scope while it locks the row: one fetch of the registration.
    return _out(registration_submit_by_reference(actor=_actor(request), reference=reference))


# After the submit route: Django tries URL patterns in order, and /{reference}/{step} would
# otherwise catch /{reference}/submit and answer 405.
@router.patch(
    "/{reference}/{step}",
    response={200: RegistrationOut, **ERRORS},
    summary="Isi satu langkah pendaftaran",
    description=(
        "Menyimpan satu langkah sebagai draf. Isian yang salah dijawab 400 dengan kode dan "
        "pesan per isian (errors); NIK yang sudah terdaftar di akun lain dijawab 409 "
        "(registration.nik_taken); terlalu banyak NIK berbeda dalam satu jam dijawab 429 "
        "(registration.nik_rate_limited) dengan Retry-After."
    ),
)
@idempotent
def registration_step_update(
    request: HttpRequest, reference: ReferencePath, step: StepCode, payload: StepIn
) -> dict[str, Any]:
    actor = _actor(request)
    registration = registration_get_for_actor(actor=actor, reference=reference)
    data = payload.model_dump(exclude_unset=True)
    with nik_guard(request, actor=actor, registration=registration, step=step, data=data):
        registration = registration_update_draft(
            actor=actor, registration=registration, step=step, data=data
        )
    return _out(registration)
