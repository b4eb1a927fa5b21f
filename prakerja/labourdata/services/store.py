"""Storing a prepared chunk: the main thread, inside the chunk's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.labourdata.bulk import pairs_where_in, rows_insert, rows_insert_new, rows_where_in
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.models import (
    ImportBatch,
    ImportRow,
    JpsRecipient,
    ReportedWorker,
    WorkerReport,
)
from prakerja.labourdata.services.chunks import Accepted, PreparedChunk, import_row
from prakerja.labourdata.services.persons import person_ids_ensure
from prakerja.labourdata.spreadsheet import Table

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

REPORT_FIELDS = (
    "worker",
    "batch",
    "row_number",
    "source",
    "category",
    "migrant_reason",
    "regency",
    "company",
    "report_date",
    "phone",
    "full_name",
    "birth_date",
)
WORKER_FIELDS = (
    "person",
    "full_name",
    "birth_date",
    "gender",
    "regency",
    "phone",
    "first_reported_at",
)
JPS_FIELDS = ("person", "batch", "row_number", "full_name", "programme", "amount", "period")


class _Chunk:
    """Stores one prepared chunk (inside the caller's transaction)."""

    def __init__(self, batch: ImportBatch, table: Table, prepared: PreparedChunk) -> None:
        self.batch = batch
        self.table = table
        self.prepared = prepared
        self.rows: list[tuple[Any, ...]] = list(prepared.rejected)
        self.counts = {status: 0 for status in ImportRow.Status.values}
        self.counts[ImportRow.Status.REJECTED] = len(prepared.rejected)

    @property
    def history_reason(self) -> str:
        return f"impor data: batch {self.batch.pk}"

    def add_row(self, index: int, cells: dict[str, str], status: str, errors: list[Any]) -> None:
        self.counts[status] += 1
        self.rows.append(import_row(self.table, self.batch.pk, index, cells, status, errors))

    def run(self) -> dict[str, int]:
        raise NotImplementedError

    def flush_rows(self) -> None:
        rows_insert(
            ImportRow, ("batch", "row_number", "status", "errors", "raw_encrypted"), self.rows
        )
        self.rows = []


def _duplicate_in_file(column: str, row_number: int) -> dict[str, str]:
    return {
        "column": column,
        "code": LabourDataError.DUPLICATE_IN_FILE,
        "message": str(
            format_lazy(_("NIK ini sudah ada di baris {row} berkas ini."), row=row_number)
        ),
    }


def _duplicate_of_earlier_import(
    column: str, message: StrOrPromise, batch_id: int, row_number: int
) -> dict[str, str]:
    """The row repeats what an earlier import already holds; ``message`` names it with
    ``{batch}`` and ``{row}``."""
    return {
        "column": column,
        "code": LabourDataError.DUPLICATE_REPORT,
        "message": str(format_lazy(message, batch=batch_id, row=row_number)),
    }


class _WorkerChunk(_Chunk):
    def run(self) -> dict[str, int]:
        accepted = self.prepared.accepted
        person_ids = person_ids_ensure(
            {key: clean["nik"] for _i, _c, clean, key in accepted},
            actor=self.batch.uploaded_by_id,
            reason=self.history_reason,
            tokens=self.prepared.nik_tokens,
        )
        worker_ids = self._workers_ensure(accepted, person_ids)
        # Reports these workers already have: in this batch (an earlier row or chunk of the same
        # file) or the same report from the same source in an earlier batch.
        earlier: dict[int, list[tuple[int, int, str, str, date | None]]] = {}
        for report in rows_where_in(
            WorkerReport,
            "worker",
            ("batch", "row_number", "source", "category", "report_date"),
            list(set(worker_ids.values())),
        ):
            earlier.setdefault(report[0], []).append(report[1:])

        nik_column = self.table.headers.get("nik", "NIK")
        reports: list[tuple[Any, ...]] = []
        for index, cells, clean, key in accepted:
            worker_id = worker_ids[person_ids[key]]
            duplicate = self._duplicate(earlier.get(worker_id, ()), clean, nik_column)
            if duplicate is not None:
                self.add_row(index, cells, ImportRow.Status.DUPLICATE, [duplicate])
                continue
            row_number = self.table.row_numbers[index]
            earlier.setdefault(worker_id, []).append(
                (
                    self.batch.pk,
                    row_number,
                    self.batch.source,
                    clean["category"],
                    clean["report_date"],
                )
            )
            reports.append(
                (
                    worker_id,
                    self.batch.pk,
                    row_number,
                    self.batch.source,
                    clean["category"],
                    clean["migrant_reason"],
                    clean["regency"],
                    clean["company"],
                    clean["report_date"],
                    clean["phone"],
                    clean["full_name"],
                    clean["birth_date"],
                )
            )
            self.add_row(index, cells, ImportRow.Status.ACCEPTED, [])
        rows_insert(WorkerReport, REPORT_FIELDS, reports)
        self.flush_rows()
        return self.counts

    def _duplicate(
        self,
        earlier: Iterable[tuple[int, int, str, str, date | None]],
        clean: dict[str, Any],
        nik_column: str,
    ) -> dict[str, str] | None:
        for batch_id, row_number, source, category, report_date in earlier:
            if batch_id == self.batch.pk:
                return _duplicate_in_file(nik_column, row_number)
            if (source, category, report_date) == (
                self.batch.source,
                clean["category"],
                clean["report_date"],
            ):
                return _duplicate_of_earlier_import(
                    nik_column,
                    _(
                        "Pekerja ini sudah dilaporkan oleh sumber yang sama dengan "
                        "kategori dan tanggal yang sama (impor #{batch}, baris {row})."
                    ),
                    batch_id,
                    row_number,
                )
        return None

    def _workers_ensure(
        self,
        accepted: list[Accepted],
        person_ids: dict[str, int],
    ) -> dict[int, int]:
        """``{person_id: worker_id}``; a person reported for the first time gets a worker
        row with what this (first) report says."""
        wanted = list({person_ids[key] for *_rest, key in accepted})
        found: dict[int, int] = pairs_where_in(ReportedWorker, "person", "id", wanted)
        new: dict[int, tuple[Any, ...]] = {}
        now = timezone.now()
        for _index, _cells, clean, key in accepted:
            person_id = person_ids[key]
            if person_id in found or person_id in new:
                continue
            new[person_id] = (
                person_id,
                clean["full_name"],
                clean["birth_date"] or clean["nik_birth_date"],
                clean["gender"],
                clean["regency"],
                clean["phone"],
                now,
            )
        if new:
            found.update(
                rows_insert_new(
                    ReportedWorker, WORKER_FIELDS, list(new.values()), key_field="person"
                )
            )
            # Reported meanwhile by another import running at the same time.
            raced = [person_id for person_id in new if person_id not in found]
            if raced:
                found.update(pairs_where_in(ReportedWorker, "person", "id", raced))
        return found


class _JpsChunk(_Chunk):
    def run(self) -> dict[str, int]:
        accepted = self.prepared.accepted
        person_ids = person_ids_ensure(
            {key: clean["nik"] for _i, _c, clean, key in accepted},
            actor=self.batch.uploaded_by_id,
            reason=self.history_reason,
            tokens=self.prepared.nik_tokens,
        )
        earlier: dict[tuple[int, str, str], tuple[int, int]] = {}
        for person_id, programme, period, batch_id, row_number in rows_where_in(
            JpsRecipient,
            "person",
            ("programme", "period", "batch", "row_number"),
            list(set(person_ids.values())),
        ):
            earlier[(person_id, programme, period)] = (batch_id, row_number)
        nik_column = self.table.headers.get("nik", "NIK")
        recipients: list[tuple[Any, ...]] = []
        for index, cells, clean, key in accepted:
            person_id = person_ids[key]
            identity = (person_id, clean["programme"], clean["period"])
            row_number = self.table.row_numbers[index]
            if identity in earlier:
                batch_id, earlier_row = earlier[identity]
                if batch_id == self.batch.pk:
                    problem = _duplicate_in_file(nik_column, earlier_row)
                else:
                    problem = _duplicate_of_earlier_import(
                        nik_column,
                        _(
                            "Penerima ini sudah tercatat untuk program dan periode yang "
                            "sama (impor #{batch}, baris {row})."
                        ),
                        batch_id,
                        earlier_row,
                    )
                self.add_row(index, cells, ImportRow.Status.DUPLICATE, [problem])
                continue
            earlier[identity] = (self.batch.pk, row_number)
            recipients.append(
                (
                    person_id,
                    self.batch.pk,
                    row_number,
                    clean["full_name"],
                    clean["programme"],
                    clean["amount"],
                    clean["period"],
                )
            )
            self.add_row(index, cells, ImportRow.Status.ACCEPTED, [])
        rows_insert(JpsRecipient, JPS_FIELDS, recipients)
        self.flush_rows()
        return self.counts
