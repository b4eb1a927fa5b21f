"""Helpers of the labour-data tests: spreadsheets built in memory, uploads run to the end."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import xlsxwriter

from prakerja.accounts.models import User
from prakerja.labourdata.columns import WORKER_COLUMNS
from prakerja.labourdata.models import ImportBatch
from prakerja.labourdata.services import import_batch_process, import_batch_upload

HEADERS = [column.header for column in WORKER_COLUMNS]


def worker(nik: str, name: str = "Siti Rahayu", **cells: str) -> list[str]:
    """One template row; keyword arguments override cells by column key."""
    values = {
        "nik": nik,
        "full_name": name,
        "birth_date": "",
        "gender": "",
        "category": "Dirumahkan",
        "migrant_reason": "",
        "regency": "Kota Surabaya",
        "company": "PT Contoh Sejahtera",
        "report_date": "11/04/2020",
        "phone": "081234567890",
    }
    values.update(cells)
    return [values[column.key] for column in WORKER_COLUMNS]


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    before: Callable[[Any, Any], int] | None = None,
) -> bytes:
    """An XLSX with ``headers`` then ``rows``, every cell written as text. ``before`` may write
    something above the header and returns how many rows it used."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Data")
    top = before(workbook, sheet) if before else 0
    sheet.write_row(top, 0, list(headers))
    for index, row in enumerate(rows, start=top + 1):
        for column, value in enumerate(row):
            if value != "" and value is not None:
                if isinstance(value, str):
                    sheet.write_string(index, column, value)
                else:
                    sheet.write(index, column, value)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    headers: Sequence[str] = HEADERS,
    encoding: str = "utf-8",
    separator: str = ",",
) -> bytes:
    lines = [separator.join(headers)] + [separator.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(
    actor: User,
    data: bytes,
    *,
    name: str = "laporan.xlsx",
    kind: str = "workers",
    source: str = "regency_disnaker",
) -> ImportBatch:
    """Upload and run the job to the end; the batch as stored."""
    result = import_batch_upload(
        actor=actor, kind=kind, source=source, name=name, upload=io.BytesIO(data)
    )
    import_batch_process(batch_id=result.batch.pk)
    result.batch.refresh_from_db()
    return result.batch


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # The job is run by the tests themselves (``upload``); nothing waits for a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
