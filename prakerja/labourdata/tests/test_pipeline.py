"""The pipelined import (the next chunk validated in a thread while this one is written) stores
exactly what the serial one does, fails cleanly when a later chunk cannot be validated, resumes
after a kill, and never queries the database from its thread."""

from __future__ import annotations

import io
import json
import re
import threading
from typing import Any

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper

from prakerja.accounts.models import User
from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import (
    ImportBatch,
    ImportRow,
    JpsRecipient,
    ReportedWorker,
    WorkerReport,
)
from prakerja.labourdata.services import import_batch_process, import_batch_upload
from prakerja.labourdata.services import pipeline as services
from prakerja.labourdata.tests.conftest import worker, xlsx_bytes
from prakerja.labourdata.validation import RowValidator

pytestmark = pytest.mark.django_db


def _rows() -> list[list[str]]:
    """Accepted, rejected and duplicate rows spread over chunks of three."""
    niks = [fake_nik(serial=300 + i) for i in range(8)]
    return [
        worker(niks[0], "Siti Rahayu"),
        worker(niks[1], "Budi 2", category="Libur"),  # rejected
        worker(niks[2], "Moh. Cholis", category="PMI", migrant_reason="Gagal Berangkat"),
        worker(niks[0], "Siti Rahayu"),  # duplicate of row 2, in the next chunk
        worker(niks[3], "Dewi Lestari", phone="0315012345"),  # rejected: landline
        worker(niks[4], "Agus Salim", regency="3578", birth_date="17/08/1990"),
        worker(niks[5], "Rina", category="PHK"),
        worker(niks[2], "Moh Cholis", category="PMI", migrant_reason="Gagal Berangkat"),
        worker(niks[6], "Joko", regency="Malang"),  # rejected: ambiguous regency
        worker(niks[7], "Wati", report_date="11/04/2020"),
    ]


def _import(actor: User, data: bytes, *, pipelined: bool, name: str = "a.xlsx") -> ImportBatch:
    result = import_batch_upload(
        actor=actor, kind="workers", source="company", name=name, upload=io.BytesIO(data)
    )
    return import_batch_process(batch_id=result.batch.pk, pipelined=pipelined)


def _stored() -> dict[str, Any]:
    """Everything the imports stored, without ids."""
    niks = {person.pk: person.nik for person in Person.objects.all()}
    workers = {
        worker.pk: (niks[worker.person_id], worker.full_name, worker.birth_date, worker.gender)
        for worker in ReportedWorker.objects.all()
    }
    batches = {batch.pk: batch.original_name for batch in ImportBatch.objects.all()}
    report_values = (
        "source",
        "category",
        "migrant_reason",
        "regency_id",
        "company",
        "report_date",
        "phone",
        "full_name",
        "birth_date",
    )
    return {
        "batches": sorted(
            ImportBatch.objects.values_list(
                "original_name",
                "status",
                "rows_total",
                "rows_done",
                "rows_accepted",
                "rows_rejected",
                "rows_duplicate",
            )
        ),
        "rows": sorted(
            (
                batches[row.batch_id],
                row.row_number,
                row.status,
                # Messages name the batch by id ("impor #12"): compare them without it.
                re.sub(r"#\d+", "#N", json.dumps(row.errors)),
                json.loads(crypto.decrypt(row.raw_encrypted)) if row.raw_encrypted else None,
            )
            for row in ImportRow.objects.all()
        ),
        "reports": sorted(
            (batches[batch_id], row_number, workers[worker_id], *values)
            for batch_id, row_number, worker_id, *values in WorkerReport.objects.values_list(
                "batch_id", "row_number", "worker_id", *report_values
            )
        ),
        "persons": sorted(niks.values()),
    }


def _forget_everything() -> None:
    WorkerReport.objects.all().delete()
    JpsRecipient.objects.all().delete()
    ImportRow.objects.all().delete()
    ReportedWorker.objects.all().delete()
    ImportBatch.objects.all().delete()
    Person.objects.all().delete()


def test_pipelined_and_serial_imports_store_the_same_rows(
    province_data_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    first = xlsx_bytes(_rows())
    # A second file repeating some of the first: duplicates of an earlier batch, new persons.
    second = xlsx_bytes([*_rows()[5:], worker(fake_nik(serial=400), "Baru")])
    stored = {}
    for pipelined in (True, False):
        _forget_everything()
        a = _import(province_data_officer, first, pipelined=pipelined, name="a.xlsx")
        b = _import(province_data_officer, second, pipelined=pipelined, name="b.xlsx")
        assert (a.status, b.status) == ("completed", "completed")
        stored[pipelined] = _stored()
    assert stored[True] == stored[False]
    batches = stored[True]["batches"]
    assert batches == [
        ("a.xlsx", "completed", 10, 10, 5, 3, 2),
        ("b.xlsx", "completed", 6, 6, 1, 1, 4),
    ]
    # Indonesian messages from the thread too.
    messages = [row[3] for row in stored[True]["rows"] if row[2] != "accepted"]
    assert any("Kategori tidak dikenal" in message for message in messages)
    assert any("NIK ini sudah ada di baris 2 berkas ini." in message for message in messages)


def test_an_error_validating_a_later_chunk_fails_the_job_with_earlier_chunks_kept(
    province_data_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    niks = [fake_nik(serial=500 + i) for i in range(5)]
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="lima.xlsx",
        upload=io.BytesIO(xlsx_bytes([worker(nik) for nik in niks])),
    )
    original = RowValidator.worker_row

    def broken_on_fourth_row(self: RowValidator, cells: dict[str, str], **kwargs: Any) -> Any:
        if cells["nik"] == niks[3]:
            raise RuntimeError("validator bug")
        return original(self, cells, **kwargs)

    monkeypatch.setattr(RowValidator, "worker_row", broken_on_fourth_row)
    with pytest.raises(RuntimeError, match="validator bug"):
        import_batch_process(batch_id=result.batch.pk, pipelined=True)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    # The first chunk is committed; the second (rows 3-4) is not, and nothing says "selesai".
    assert (batch.status, batch.rows_done, batch.rows_accepted) == ("running", 2, 2)
    assert ImportRow.objects.filter(batch=batch).count() == 2
    assert WorkerReport.objects.filter(batch=batch).count() == 2
    assert not [t for t in threading.enumerate() if t.name == "labourdata-prepare"]

    monkeypatch.setattr(RowValidator, "worker_row", original)
    batch = import_batch_process(batch_id=batch.pk, pipelined=True)
    assert (batch.status, batch.rows_done, batch.rows_accepted) == ("completed", 5, 5)
    assert WorkerReport.objects.filter(batch=batch).count() == 5


def test_the_preparing_thread_never_touches_the_database(
    province_data_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    threads: set[str] = set()
    original = BaseDatabaseWrapper.cursor

    def cursor(self: BaseDatabaseWrapper) -> Any:
        threads.add(threading.current_thread().name)
        return original(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", cursor)
    prepared: set[str] = set()
    original_prepare = services._ChunkPreparer.__call__

    def prepare(self: Any, start: int, end: int) -> Any:
        prepared.add(threading.current_thread().name)
        return original_prepare(self, start, end)

    monkeypatch.setattr(services._ChunkPreparer, "__call__", prepare)
    rows = [worker(fake_nik(serial=700 + i)) for i in range(7)]
    batch = _import(province_data_officer, xlsx_bytes(rows), pipelined=True)
    assert (batch.status, batch.rows_accepted) == ("completed", 7)
    assert prepared == {"labourdata-prepare"}
    assert threads == {threading.current_thread().name}


def test_the_pipeline_starts_over_where_another_run_got_to() -> None:
    calls: list[tuple[int, int]] = []

    def prepare(start: int, end: int) -> services.PreparedChunk:
        calls.append((start, end))
        return services.PreparedChunk(start, end, [], [], {})

    chunks = services._PipelinedChunks(prepare, total=10, size=2, start=0)  # type: ignore[arg-type]
    try:
        assert chunks.get(0, 2).start == 0
        assert chunks.get(2, 4).start == 2
        # Rows 4-7 were stored by another run meanwhile: continue at 8.
        assert chunks.get(8, 10).start == 8
    finally:
        chunks.close()
    assert (8, 10) in calls


def test_only_postgresql_is_pipelined_by_default() -> None:
    assert {"postgresql"} == services.PIPELINED_VENDORS
