"""Reads of the labour-data domain: batches in the actor's scope, rejected rows, counts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import (
    Capability,
    actor_require,
    actor_role,
    regency_list_for_actor,
)
from prakerja.core import exports
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.identity import crypto
from prakerja.identity.nik import nik_mask
from prakerja.labourdata.columns import REASON_HEADER, Column, columns_for, header_normalise
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.models import Category, ImportBatch, ImportRow, WorkerReport


def batch_list_for_actor(*, actor: Any) -> QuerySet[ImportBatch]:
    """Batches the actor may see: a regency data officer the uploads for their regency, a
    province data officer (and the superadmin) all."""
    actor_require(actor, Capability.LABOUR_DATA_IMPORT)
    batches = ImportBatch.objects.select_related("uploaded_by", "scope_regency").defer(
        "file_encrypted"
    )
    if actor_role(actor) == Role.DATA_OFFICER and getattr(actor, "regency_id", None):
        return batches.filter(scope_regency_id=actor.regency_id)
    return batches


def batch_get_for_actor(*, actor: Any, batch_id: int) -> ImportBatch:
    try:
        return batch_list_for_actor(actor=actor).get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        pass
    if ImportBatch.objects.filter(pk=batch_id).exists():
        raise PermissionDenied(LabourDataError.BATCH_FORBIDDEN, _("Impor ini milik wilayah lain."))
    raise NotFound(LabourDataError.BATCH_NOT_FOUND, _("Impor tidak ditemukan."))


def _reasons(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{error.get('column', '')}: {error.get('message', '')}" for error in errors)


def rejected_rows(*, batch: ImportBatch) -> Iterator[tuple[int, dict[str, str], str]]:
    """``(row number, original cells, reasons)`` of every rejected row, in file order."""
    rows = (
        ImportRow.objects.filter(batch=batch, status=ImportRow.Status.REJECTED)
        .order_by("row_number")
        .values_list("row_number", "raw_encrypted", "errors")
        .iterator(chunk_size=2000)
    )
    for row_number, raw, errors in rows:
        yield row_number, json.loads(crypto.decrypt(raw)), _reasons(errors)


def _download_headers(batch: ImportBatch) -> list[str]:
    """The file's own headers where the rows have them, else the template's."""
    columns: tuple[Column, ...] = columns_for(batch.kind)
    # Accepted rows keep no original cells (their values are in the reports): any other row has
    # them, and with no such row there is nothing to download but the header.
    first = (
        ImportRow.objects.filter(batch=batch)
        .exclude(raw_encrypted="")
        .order_by("row_number")
        .first()
    )
    if first is not None:
        return list(json.loads(crypto.decrypt(first.raw_encrypted)))
    return [column.header for column in columns]


REJECTED_PER_PAGE = 50


@dataclass(frozen=True)
class RejectedRowShown:
    """A rejected row as the batch page shows it: enough to find it in the file, the NIK
    masked (the full row is in the logged download)."""

    row_number: int
    name: str
    nik_masked: str
    reasons: str


def rejected_rows_page(*, batch: ImportBatch, page_number: Any) -> Any:
    """One page (``REJECTED_PER_PAGE`` rows) of the rejected rows, in file order; only the
    page's rows are decrypted."""
    columns = {column.key: column for column in columns_for(batch.kind)}
    rows = (
        ImportRow.objects.filter(batch=batch, status=ImportRow.Status.REJECTED)
        .order_by("row_number")
        .values_list("row_number", "raw_encrypted", "errors")
    )
    page = Paginator(rows, REJECTED_PER_PAGE).get_page(page_number)

    def cell(cells: dict[str, str], key: str) -> str:
        column = columns.get(key)
        if column is None:
            return ""
        for header, value in cells.items():
            if column.matches(header_normalise(header)):
                return str(value or "").strip()
        return ""

    shown = []
    for row_number, raw, errors in page.object_list:
        cells = json.loads(crypto.decrypt(raw)) if raw else {}
        nik = cell(cells, "nik")
        shown.append(
            RejectedRowShown(
                row_number=row_number,
                name=cell(cells, "full_name")[:100],
                nik_masked=nik_mask(nik) if nik else "",
                reasons=_reasons(errors),
            )
        )
    page.object_list = shown  # type: ignore[assignment]
    return page


def rejected_rows_table(*, batch: ImportBatch) -> Iterator[list[str]]:
    """The rejected-rows file as rows: the headers (plus "Alasan"), then each rejected row's
    original cells and its reasons. Written only through ``core.exports`` (formula-safe)."""
    headers = _download_headers(batch)
    yield [*headers, str(REASON_HEADER)]
    for _row_number, cells, reasons in rejected_rows(batch=batch):
        yield [cells.get(header) or "" for header in headers] + [reasons]


def rejected_rows_csv(*, batch: ImportBatch) -> str:
    return exports.csv_text(rejected_rows_table(batch=batch))


def rejected_rows_xlsx(*, batch: ImportBatch) -> bytes:
    workbook = exports.XlsxWorkbook()
    sheet = workbook.add_worksheet("Ditolak")
    text = workbook.add_format({"num_format": "@"})
    bold = workbook.add_format({"bold": True})
    rows = rejected_rows_table(batch=batch)
    header = next(rows)
    sheet.write_row(0, 0, header, bold)
    reasons = len(header) - 1
    sheet.set_column(0, reasons - 1, 18, text)
    sheet.set_column(reasons, reasons, 60)
    for line, row in enumerate(rows, start=1):
        sheet.write_row(line, 0, row, text)
    return workbook.close()


# --- Counts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegencyCounts:
    regency_code: str
    regency_name: str
    by_category: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


@dataclass(frozen=True)
class WorkerCounts:
    """People reported per category and regency (a person counts once per category and
    regency however many sources reported them)."""

    regencies: list[RegencyCounts]
    totals: dict[str, int]
    people: int

    @property
    def categories(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Category.choices]


def worker_counts(*, actor: Any, source: str | None = None) -> WorkerCounts:
    """Counts for the regencies the actor may see (report readers and data officers)."""
    actor_require(actor, Capability.REPORT_VIEW)
    regencies = regency_list_for_actor(actor=actor)
    reports = WorkerReport.objects.filter(regency__in=regencies)
    if source:
        reports = reports.filter(source=source)
    cells = reports.values("regency_id", "category").annotate(
        people=Count("worker_id", distinct=True)
    )
    table: dict[str, dict[str, int]] = {}
    for cell in cells:
        table.setdefault(cell["regency_id"], {})[cell["category"]] = cell["people"]
    totals = {
        row["category"]: row["people"]
        for row in reports.values("category").annotate(people=Count("worker_id", distinct=True))
    }
    people = reports.values("worker_id").distinct().count()
    names = dict(regencies.filter(pk__in=list(table)).values_list("code", "name"))
    rows = [
        RegencyCounts(
            regency_code=code,
            regency_name=names.get(code, code),
            by_category={value: table[code].get(value, 0) for value in Category.values},
        )
        for code in sorted(table)
    ]
    return WorkerCounts(
        regencies=rows,
        totals={value: totals.get(value, 0) for value in Category.values},
        people=people,
    )


# --- Templates ------------------------------------------------------------------------------


def template_xlsx(*, kind: str) -> bytes:
    """The empty list to fill in: Indonesian headers, text-formatted cells (so Excel keeps the
    16 digits of a NIK and the leading 0 of a phone number), one example row, and a sheet of
    instructions."""
    columns = columns_for(kind)
    workbook = exports.XlsxWorkbook()
    sheet = workbook.add_worksheet("Data")
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "num_format": "@"})
    example = workbook.add_format({"num_format": "@", "font_color": "#7F7F7F", "italic": True})
    for position, column in enumerate(columns):
        sheet.set_column(position, position, max(14, len(column.header) + 4), text)
        sheet.write(0, position, column.header, header)
        sheet.write(1, position, column.example, example)
    sheet.freeze_panes(1, 0)
    keys = [column.key for column in columns]
    if "category" in keys:
        position = keys.index("category")
        sheet.data_validation(
            1,
            position,
            200_000,
            position,
            {"validate": "list", "source": ["PHK", "Dirumahkan", "PMI", "PHK Sebelum COVID-19"]},
        )
    if "migrant_reason" in keys:
        position = keys.index("migrant_reason")
        sheet.data_validation(
            1,
            position,
            200_000,
            position,
            {"validate": "list", "source": ["Kontrak Selesai", "Bermasalah", "Gagal Berangkat"]},
        )
    guide = workbook.add_worksheet("Petunjuk")
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 80)
    bold = workbook.add_format({"bold": True})
    guide.write_row(0, 0, ["Kolom", "Wajib", "Cara mengisi"], bold)
    for line, column in enumerate(columns, start=1):
        guide.write_row(line, 0, [column.header, "ya" if column.required else "tidak", column.help])
    notes = [
        "Isi data mulai baris 2 lembar “Data”; hapus baris contoh (abu-abu) sebelum mengunggah.",
        "Jangan menambah baris judul di atas nama kolom dan jangan menggabungkan sel (merge).",
        "Jangan memakai rumus (formula); tempel sebagai nilai (Paste Special → Values).",
        "Kolom NIK dan Nomor HP sudah berformat Teks agar angka tidak berubah.",
    ]
    for line, note in enumerate(notes, start=len(columns) + 2):
        guide.write(line, 0, note)
    return workbook.close()
