"""``/api/v1/labourdata``: imports (status and figures) and counts per category and regency.

Uploading goes through the HTML page (a multipart form with progress); the API reads, so
dashboards and the linkage can follow an import and the province's figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from prakerja.accounts.auth import API_AUTH
from prakerja.labourdata import selectors
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
