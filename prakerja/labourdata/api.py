"""``/api/v1/labourdata``: imports (status and figures) and counts per category and regency.

Uploading goes through the HTML page (a multipart form with progress); the API reads, so
dashboards and the linkage can follow an import and the province's figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema

from prakerja.accounts.auth import API_AUTH
from prakerja.core.errors import NotFound
from prakerja.labourdata import selectors, sisnaker
from prakerja.labourdata.errors import SisnakerError
from prakerja.labourdata.models import ImportBatch

router = Router(auth=API_AUTH)

MAX_BATCH_ID = 2**31 - 1
SourceCode = Literal["company", "regency_disnaker", "province", "ministry"]


class ErrorOut(Schema):
    code: str = Field(..., description="Kode galat yang stabil, mis. labourdata.batch_not_found")
    message: str = Field(..., description="Pesan dalam bahasa Indonesia")
    field: str | None


ERRORS: dict[int, Any] = {code: ErrorOut for code in (400, 401, 403, 404, 422)}


class NoteOut(Schema):
    code: str = Field(..., description="Kode catatan, mis. labourdata.columns_ignored")
    message: str = Field(..., description="Catatan dalam bahasa Indonesia")


class BatchOut(Schema):
    id: int
    kind: str
    source: str
    original_name: str
    status: str
    rows_total: int
    rows_done: int
    rows_accepted: int
    rows_rejected: int
    rows_duplicate: int
    progress_percent: int
    error_code: str
    error_message: str
    sheet_name: str = Field(..., description="Lembar yang diminta pengunggah (kosong: dicari)")
    notes: list[NoteOut] = Field(
        ...,
        description=(
            "Yang diterima tetapi diubah: kolom di luar templat diabaikan, baris jumlah "
            "dilewati, lembar yang dibaca"
        ),
    )
    created_at: datetime
    finished_at: datetime | None


class RegencyCountsOut(Schema):
    regency_code: str
    regency_name: str
    by_category: dict[str, int]
    total: int


class CountsOut(Schema):
    people: int = Field(..., description="Orang yang dilaporkan (dihitung sekali)")
    totals: dict[str, int] = Field(..., description="Orang per kategori")
    regencies: list[RegencyCountsOut]


class CountsQuery(Schema):
    source: SourceCode | None = None


def _batch_out(batch: ImportBatch) -> dict[str, Any]:
    return {
        field: getattr(batch, field)
        for field in BatchOut.model_fields  # type: ignore[attr-defined]
    }


@router.get("/batches", response={200: list[BatchOut], **ERRORS}, summary="Impor terakhir")
def batch_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_batch_out(batch) for batch in selectors.batch_list_for_actor(actor=request.user)[:50]]


@router.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS}, summary="Status satu impor")
def batch_detail(
    request: HttpRequest, batch_id: int = Path(..., ge=1, le=MAX_BATCH_ID)
) -> dict[str, Any]:
    return _batch_out(selectors.batch_get_for_actor(actor=request.user, batch_id=batch_id))


@router.get(
    "/counts",
    response={200: CountsOut, **ERRORS},
    summary="Pekerja terdampak per kategori dan kabupaten/kota",
)
def counts(request: HttpRequest, query: Query[CountsQuery]) -> dict[str, Any]:
    figures = selectors.worker_counts(actor=request.user, source=query.source)
    return {
        "people": figures.people,
        "totals": figures.totals,
        "regencies": [
            {
                "regency_code": row.regency_code,
                "regency_name": row.regency_name,
                "by_category": row.by_category,
                "total": row.total,
            }
            for row in figures.regencies
        ],
    }


# --- Sisnaker ---------------------------------------------------------------------------


class SisnakerGroupsOut(Schema):
    list_import: int
    matched: int
    missing_in_sisnaker: list[str]
    not_registered: dict[str, list[str]]
    mismatches: list[dict[str, Any]]
    to_review: list[dict[str, Any]]


class DecisionIn(Schema):
    same: bool


@router.get(
    "/sisnaker/report",
    response={200: SisnakerGroupsOut, **ERRORS},
    summary="Rekonsiliasi lembaga pelatihan dengan daftar Sisnaker terakhir",
)
def sisnaker_report(request: HttpRequest) -> Any:
    latest = sisnaker.sisnaker_latest()
    if latest is None:
        raise NotFound(SisnakerError.NO_LIST, _("Belum ada daftar Sisnaker yang diunggah."))
    report = sisnaker.sisnaker_report(actor=request.user, list_import=latest)
    return {
        "list_import": latest.pk,
        "matched": report.matched,
        "missing_in_sisnaker": [p.name for p in report.missing_in_sisnaker],
        "not_registered": {
            regency: [i.name for i in rows] for regency, rows in report.not_registered.items()
        },
        "mismatches": [
            {
                "provider": m.match.provider.name,
                "institution": m.match.institution.name,
                "fields": m.fields,
            }
            for m in report.mismatches
        ],
        "to_review": [
            {
                "match": m.pk,
                "provider": m.provider.name,
                "institution": m.institution.name,
                "score": m.score,
            }
            for m in report.to_review
        ],
    }


@router.post(
    "/sisnaker/matches/{match_id}/decision",
    response={200: dict[str, str], **ERRORS, 409: ErrorOut},
    summary="Putuskan pasangan Sisnaker yang perlu diperiksa",
)
def sisnaker_decide(
    request: HttpRequest, match_id: Annotated[int, Path(ge=1, le=2**62)], payload: DecisionIn
) -> Any:
    match = sisnaker.sisnaker_match_decide(actor=request.user, match_id=match_id, same=payload.same)
    return {"status": match.status}
