"""Waves, quotas and selection runs over the API (django-ninja), mounted at ``/api/v1/waves``.

Thin: parse (schemas bound every size), fetch, check the capability, call one service or
selector. Errors come from the services as ``ApplicationError`` and are turned into
``{"code", "message", "field"}`` in ``config.api``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StringConstraints

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.errors import AccountsError
from prakerja.accounts.models import User
from prakerja.accounts.scopes import Capability, actor_can, actor_require
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.registry.api import ErrorOut
from prakerja.registry.selectors import registration_for_user
from prakerja.registry.services.programme import programme_default
from prakerja.waves import selectors, services
from prakerja.waves.errors import WavesError
from prakerja.waves.models import RegencyQuota, SelectionRun, Wave

router = Router(auth=API_AUTH, tags=["waves"])

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
RegencyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
Quotas = Annotated[
    dict[RegencyCode, Annotated[int, Field(ge=0, le=100_000_000)]],
    Field(max_length=600, description="Kuota per kabupaten/kota: {kode: kuota}"),
]
MAX_ID = 2**62


class QuotaOut(Schema):
    regency: str
    quota: int
    method: str
    demand: int | None = Field(None, description="Pendaftar (alokasi menurut kapasitas)")
    capacity: int | None = Field(None, description="Kapasitas pelatihan untuk periode gelombang")


class AllocateQuery(Schema):
    mode: str = Field(
        "demand",
        pattern="^(demand|capacity)$",
        description="demand: sebanding pendaftar; capacity: min(pendaftar, kapasitas pelatihan)",
    )


class WaveOut(Schema):
    id: int
    number: int
    name: str
    opens_at: datetime
    closes_at: datetime
    total_quota: int
    status: str
    quotas: list[QuotaOut]


class WaveIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    opens_at: datetime
    closes_at: datetime
    total_quota: int = Field(..., ge=1, le=100_000_000)
    regency_quotas: Quotas | None = None


class QuotasIn(Schema):
    regency_quotas: Quotas


class RunIn(Schema):
    seed: str | None = Field(
        None, max_length=64, description="Benih undian; kosong: dibuat acak dan diumumkan"
    )


class RegencyOutcomeOut(Schema):
    regency: str
    regency_name: str
    quota: int
    eligible: int
    selected: int
    reserved_seats: int
    reserved_used: int


class RunOut(Schema):
    id: int
    wave: int
    status: str
    seed: str
    seed_published_at: datetime
    progress: int
    parameters: dict[str, Any]
    input_hash: str
    result_hash: str
    created_by: int
    approved_by: int | None
    approved_at: datetime | None
    published_by: int | None
    published_at: datetime | None


class EntryOut(Schema):
    wave: int
    status: str
    missing_items: list[str]


class ApplicantResultOut(Schema):
    result: str = Field(
        ...,
        description="none | waiting | joined | selected | not_selected | carried_over | revoked",
    )
    wave: int | None
    category: str
    reported_by_disnaker: bool
    has_disability: bool
    rank_in_regency: int | None
    regency: str | None
    regency_quota: int | None
    reason_code: str | None
    reason: str | None
    missing_items: list[str]
    next_steps: list[str]


def _actor(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _wave_out(wave: Wave) -> dict[str, Any]:
    return {
        "id": wave.pk,
        "number": wave.number,
        "name": wave.name,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "total_quota": wave.total_quota,
        "status": wave.status,
        "quotas": [
            {
                "regency": q.regency_id,
                "quota": q.quota,
                "method": q.method,
                "demand": q.demand,
                "capacity": q.capacity,
            }
            for q in RegencyQuota.objects.filter(wave=wave).order_by("regency_id")
        ],
    }


def _run_out(run: SelectionRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "wave": run.wave_id,
        "status": run.status,
        "seed": run.seed,
        "seed_published_at": run.seed_published_at,
        "progress": run.progress,
        "parameters": run.parameters,
        "input_hash": run.input_hash,
        "result_hash": run.result_hash,
        "created_by": run.created_by_id,
        "approved_by": run.approved_by_id,
        "approved_at": run.approved_at,
        "published_by": run.published_by_id,
        "published_at": run.published_at,
    }


def _wave(wave_id: int) -> Wave:
    wave = Wave.objects.filter(pk=wave_id).first() if 0 < wave_id < MAX_ID else None
    if wave is None:
        raise NotFound(WavesError.NOT_FOUND, _("Gelombang tidak ditemukan."))
    return wave


def _require_selection_reader(actor: User) -> None:
    if not any(
        actor_can(actor, c)
        for c in (Capability.WAVE_MANAGE, Capability.SELECTION_APPROVE, Capability.REPORT_VIEW)
    ):
        raise PermissionDenied(
            AccountsError.ACCOUNT_CAPABILITY_MISSING, _("Anda tidak berhak mengakses data ini.")
        )


def _run(actor: User, run_id: int) -> SelectionRun:
    _require_selection_reader(actor)
    if not 0 < run_id < MAX_ID:
        raise NotFound(WavesError.SELECTION_RUN_NOT_FOUND, _("Proses seleksi tidak ditemukan."))
    return selectors.selection_run_get(run_id=run_id)


@router.get("", response={200: list[WaveOut], **ERRORS}, summary="Daftar gelombang")
def wave_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_wave_out(w) for w in selectors.wave_list(programme=programme_default())]


@router.post(
    "",
    response={201: WaveOut, **ERRORS},
    summary="Buat gelombang",
    description="Kuota per kabupaten/kota boleh diisi sekarang atau nanti (harus berjumlah sama "
    "dengan kuota total).",
)
def wave_create(request: HttpRequest, payload: WaveIn) -> Status[dict[str, Any]]:
    wave = services.wave_create(
        actor=_actor(request),
        programme=programme_default(),
        name=payload.name,
        opens_at=_aware(payload.opens_at),
        closes_at=_aware(payload.closes_at),
        total_quota=payload.total_quota,
        regency_quotas=payload.regency_quotas,
    )
    return Status(201, _wave_out(wave))


@router.get(
    "/me/result", response={200: ApplicantResultOut, **ERRORS}, summary="Hasil seleksi saya"
)
def my_result(
    request: HttpRequest, wave_id: Annotated[int | None, Query(None, ge=1, lt=MAX_ID)] = None
) -> dict[str, Any]:
    user = _actor(request)
    registration = registration_for_user(user=user, programme=programme_default())
    if registration is None:
        raise NotFound(WavesError.NO_REGISTRATION, _("Anda belum memiliki pendaftaran."))
    wave = _wave(wave_id) if wave_id is not None else None
    result = selectors.applicant_result(registration=registration, wave=wave)
    return {
        "result": result.result,
        "wave": result.wave.pk if result.wave else None,
        "category": result.category,
        "reported_by_disnaker": result.reported_by_disnaker,
        "has_disability": result.has_disability,
        "rank_in_regency": result.rank_in_regency,
        "regency": result.regency_code,
        "regency_quota": result.regency_quota,
        "reason_code": result.reason_code,
        "reason": result.reason_label,
        "missing_items": result.missing_items,
        "next_steps": result.next_steps,
    }


@router.get("/{wave_id}", response={200: WaveOut, **ERRORS}, summary="Rincian gelombang")
def wave_detail(request: HttpRequest, wave_id: int) -> dict[str, Any]:
    return _wave_out(_wave(wave_id))


@router.put("/{wave_id}/quotas", response={200: WaveOut, **ERRORS}, summary="Tetapkan kuota")
def wave_quotas_set(request: HttpRequest, wave_id: int, payload: QuotasIn) -> dict[str, Any]:
    wave = services.wave_quotas_set(
        actor=_actor(request), wave=_wave(wave_id), regency_quotas=payload.regency_quotas
    )
    return _wave_out(wave)


@router.post(
    "/{wave_id}/quotas/allocate",
    response={200: WaveOut, **ERRORS},
    summary="Alokasikan kuota proporsional",
)
def wave_quotas_allocate(
    request: HttpRequest, wave_id: int, query: Query[AllocateQuery]
) -> dict[str, Any]:
    wave = _wave(wave_id)
    if query.mode == "capacity":
        services.wave_quotas_allocate_by_capacity(actor=_actor(request), wave=wave)
    else:
        services.wave_quotas_allocate(actor=_actor(request), wave=wave)
    return _wave_out(wave)


@router.post("/{wave_id}/open", response={200: WaveOut, **ERRORS}, summary="Buka gelombang")
def wave_open(request: HttpRequest, wave_id: int) -> dict[str, Any]:
    return _wave_out(services.wave_open(actor=_actor(request), wave=_wave(wave_id)))


@router.post("/{wave_id}/close", response={200: WaveOut, **ERRORS}, summary="Tutup gelombang")
def wave_close(request: HttpRequest, wave_id: int) -> dict[str, Any]:
    return _wave_out(services.wave_close(actor=_actor(request), wave=_wave(wave_id)))


@router.post("/{wave_id}/join", response={200: EntryOut, **ERRORS}, summary="Ikut gelombang")
def wave_join(request: HttpRequest, wave_id: int) -> dict[str, Any]:
    user = _actor(request)
    registration = registration_for_user(user=user, programme=programme_default())
    if registration is None:
        raise NotFound(WavesError.NO_REGISTRATION, _("Anda belum memiliki pendaftaran."))
    entry = services.wave_join(actor=user, wave=_wave(wave_id), registration=registration)
    return {"wave": entry.wave_id, "status": entry.status, "missing_items": entry.missing_items}


@router.post(
    "/{wave_id}/runs",
    response={201: RunOut, **ERRORS},
    summary="Jalankan uji coba seleksi",
    description="Benih undian diumumkan saat proses dibuat; hasil dihitung di latar belakang.",
)
def run_create(request: HttpRequest, wave_id: int, payload: RunIn) -> Status[dict[str, Any]]:
    run = services.selection_run_create(
        actor=_actor(request), wave=_wave(wave_id), seed=payload.seed
    )
    return Status(201, _run_out(run))


@router.get("/runs/{run_id}", response={200: RunOut, **ERRORS}, summary="Status proses seleksi")
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run_out(_run(_actor(request), run_id))


@router.get(
    "/runs/{run_id}/regencies",
    response={200: list[RegencyOutcomeOut], **ERRORS},
    summary="Hasil per kabupaten/kota",
)
def run_regencies(request: HttpRequest, run_id: int) -> list[dict[str, Any]]:
    run = _run(_actor(request), run_id)
    return [
        {
            "regency": row.regency_code,
            "regency_name": row.regency_name,
            "quota": row.quota,
            "eligible": row.eligible,
            "selected": row.selected,
            "reserved_seats": row.reserved_seats,
            "reserved_used": row.reserved_used,
        }
        for row in selectors.selection_outcome_per_regency(run=run)
    ]


@router.post("/runs/{run_id}/approve", response={200: RunOut, **ERRORS}, summary="Setujui hasil")
def run_approve(request: HttpRequest, run_id: int) -> dict[str, Any]:
    actor = _actor(request)
    actor_require(actor, Capability.SELECTION_APPROVE)
    return _run_out(services.selection_run_approve(actor=actor, run=_run(actor, run_id)))


@router.post("/runs/{run_id}/publish", response={200: RunOut, **ERRORS}, summary="Umumkan hasil")
def run_publish(request: HttpRequest, run_id: int) -> dict[str, Any]:
    actor = _actor(request)
    actor_require(actor, Capability.SELECTION_APPROVE)
    return _run_out(services.selection_run_publish(actor=actor, run=_run(actor, run_id)))
