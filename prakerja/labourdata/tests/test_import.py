"""Rows of an import: every row stored with its status, reasons per cell, nothing doubled,
nothing half-done, scope by regency, the JPS kind, and the counts."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.identity import crypto
from prakerja.identity.crypto import blind_index
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.columns import JPS_COLUMNS
from prakerja.labourdata.models import (
    ImportBatch,
    ImportRow,
    JpsRecipient,
    ReportedWorker,
    WorkerReport,
)
from prakerja.labourdata.selectors import rejected_rows_csv, worker_counts
from prakerja.labourdata.services import NikIndexer, import_batch_process, import_batch_upload
from prakerja.labourdata.services import pipeline as services
from prakerja.labourdata.tests.conftest import upload, worker, xlsx_bytes

pytestmark = pytest.mark.django_db

NIK_A = fake_nik(serial=21)
NIK_B = fake_nik(serial=22, gender="L", birth_date=date(1985, 3, 2))


def test_every_row_is_stored_with_its_status_and_reasons(province_data_officer: User) -> None:
    rows = [
        worker(NIK_A, "Siti Rahayu"),
        worker("35780157089", "Budi 2", category="Libur", phone="0315012345"),
        worker(NIK_A, "Siti Rahayu"),
        worker(NIK_B, "Moh. Cholis", category="PMI", migrant_reason="Gagal Berangkat"),
    ]
    batch = upload(province_data_officer, xlsx_bytes(rows))

    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_total, batch.rows_done) == (4, 4)
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (2, 1, 1)
    statuses = dict(ImportRow.objects.filter(batch=batch).values_list("row_number", "status"))
    assert statuses == {2: "accepted", 3: "rejected", 4: "duplicate", 5: "accepted"}
    rejected = ImportRow.objects.get(batch=batch, row_number=3)
    assert [(error["column"], error["code"]) for error in rejected.errors] == [
        ("NIK", "nik.length"),
        ("Nama Lengkap", "labourdata.name_digits"),
        ("Kategori", "labourdata.category_invalid"),
        ("Nomor HP", "labourdata.phone_invalid"),
    ]
    assert rejected.errors[2]["message"] == (
        "Kategori tidak dikenal. Gunakan salah satu: PHK, Dirumahkan, PMI, PHK Sebelum COVID-19."
    )
    duplicate = ImportRow.objects.get(batch=batch, row_number=4)
    assert duplicate.errors[0]["message"] == "NIK ini sudah ada di baris 2 berkas ini."
    # The NIK is nowhere in plain text: not in the row, the reasons or the person.
    assert NIK_A not in rejected.raw_encrypted + str(duplicate.errors)
    # Original cells are kept for the rows a user may download and fix, not for accepted ones.
    raw = dict(ImportRow.objects.filter(batch=batch).values_list("row_number", "raw_encrypted"))
    assert (raw[2], raw[5]) == ("", "")
    assert json.loads(crypto.decrypt(raw[3]))["Nama Lengkap"] == "Budi 2"
    assert json.loads(crypto.decrypt(raw[4]))["NIK"] == NIK_A
    migrant = WorkerReport.objects.get(batch=batch, row_number=5)
    assert (migrant.category, migrant.migrant_reason) == ("migrant", "failed_to_depart")
    assert migrant.phone == "+6281234567890"
    assert migrant.worker.birth_date == date(1985, 3, 2)  # from the NIK: none was stated
    assert migrant.worker.gender == "L"


def test_rejected_rows_download_with_reasons_and_read_back_once_fixed(
    province_data_officer: User,
) -> None:
    rows = [worker(NIK_A), worker(NIK_B, category="", regency="Malang")]
    batch = upload(province_data_officer, xlsx_bytes(rows))
    assert batch.rows_rejected == 1

    text = rejected_rows_csv(batch=batch)
    lines = text.splitlines()
    assert lines[0].endswith(",Alasan")
    assert len(lines) == 2
    assert NIK_B in lines[1]
    assert lines[1].endswith(
        '"Kategori: Kategori wajib diisi.; Kabupaten/Kota: Sebutkan “Kabupaten” atau “Kota”, '
        'misalnya Kabupaten Malang atau Kota Malang."'
    )

    fixed = lines[1].replace(",,,Malang,", ",Dirumahkan,,Kabupaten Malang,", 1)
    # The downloaded file (with its reasons column) goes back in as it is, once fixed.
    corrected = upload(
        province_data_officer, (lines[0] + "\r\n" + fixed + "\r\n").encode(), name="perbaikan.csv"
    )
    assert corrected.status == ImportBatch.Status.COMPLETED
    assert (corrected.rows_accepted, corrected.rows_rejected) == (1, 0)
    assert WorkerReport.objects.get(batch=corrected).regency_id == "3507"


def test_the_same_file_again_changes_nothing_and_says_so(province_data_officer: User) -> None:
    data = xlsx_bytes([worker(NIK_A), worker(NIK_B)])
    first = upload(province_data_officer, data)
    again = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="nama-lain.xlsx",
        upload=io.BytesIO(data),
    )
    assert again.created is False
    assert again.batch.pk == first.pk
    assert again.message.startswith("Berkas yang sama persis sudah diimpor pada ")
    assert again.message.endswith("Tidak ada data yang berubah.")
    assert ImportBatch.objects.count() == 1
    assert WorkerReport.objects.count() == 2
    assert ImportRow.objects.count() == 2


def test_one_worker_reported_by_two_sources_is_one_person_with_two_reports(
    province_data_officer: User,
) -> None:
    upload(province_data_officer, xlsx_bytes([worker(NIK_A)]), source="company")
    upload(
        province_data_officer,
        xlsx_bytes([worker(NIK_A, "SITI RAHAYOE", company="")]),
        source="regency_disnaker",
    )
    assert Person.objects.count() == 1
    assert ReportedWorker.objects.count() == 1
    reports = WorkerReport.objects.order_by("batch_id")
    assert [report.source for report in reports] == ["company", "regency_disnaker"]
    assert [report.full_name for report in reports] == ["Siti Rahayu", "SITI RAHAYOE"]


def test_the_same_report_from_the_same_source_in_another_file_is_a_duplicate(
    province_data_officer: User,
) -> None:
    first = upload(province_data_officer, xlsx_bytes([worker(NIK_A)]))
    second = upload(province_data_officer, xlsx_bytes([worker(NIK_A), worker(NIK_B)]))
    assert (second.rows_accepted, second.rows_duplicate) == (1, 1)
    row = ImportRow.objects.get(batch=second, status="duplicate")
    assert row.errors[0]["code"] == "labourdata.duplicate_report"
    assert f"impor #{first.pk}, baris 2" in row.errors[0]["message"]


def test_an_import_registrant_nik_is_the_same_person(province_data_officer: User) -> None:
    from prakerja.identity.services import person_get_or_create

    person, _created = person_get_or_create(nik=NIK_A)
    upload(province_data_officer, xlsx_bytes([worker(NIK_A)]))
    assert ReportedWorker.objects.get().person_id == person.pk
    assert Person.objects.count() == 1


def test_the_bulk_blind_index_equals_the_identity_one(db: None) -> None:
    assert NikIndexer()(NIK_A) == blind_index(NIK_A, purpose="nik")


@pytest.mark.parametrize("pipelined", [False, True], ids=["serial", "pipelined"])
def test_a_killed_import_resumes_after_the_last_committed_chunk(
    province_data_officer: User, monkeypatch: pytest.MonkeyPatch, pipelined: bool
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    rows = [worker(fake_nik(serial=100 + i)) for i in range(5)] + [
        worker(fake_nik(serial=100))  # duplicate of the first row, in the last chunk
    ]
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="enam.xlsx",
        upload=io.BytesIO(xlsx_bytes(rows)),
    )
    original = services._WorkerChunk.run
    calls = {"n": 0}

    def crash_on_second_chunk(self: Any) -> dict[str, int]:
        calls["n"] += 1
        counts = original(self)
        if calls["n"] == 2:
            raise RuntimeError("worker killed")  # after the writes, before the commit
        return counts

    monkeypatch.setattr(services._WorkerChunk, "run", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        import_batch_process(batch_id=result.batch.pk, pipelined=pipelined)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    # Only the first chunk is there, and the batch does not look finished.
    assert (batch.status, batch.rows_done, batch.rows_accepted) == ("running", 2, 2)
    assert ImportRow.objects.filter(batch=batch).count() == 2
    assert WorkerReport.objects.filter(batch=batch).count() == 2

    batch = import_batch_process(batch_id=batch.pk, pipelined=pipelined)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done) == ("completed", 6)
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (5, 0, 1)
    assert ImportRow.objects.filter(batch=batch).count() == 6
    assert WorkerReport.objects.filter(batch=batch).count() == 5
    # Running the job once more changes nothing.
    import_batch_process(batch_id=batch.pk, pipelined=pipelined)
    assert ImportRow.objects.filter(batch=batch).count() == 6
    assert WorkerReport.objects.filter(batch=batch).count() == 5


def test_a_regency_officer_may_import_only_their_regency(surabaya_data_officer: User) -> None:
    rows = [worker(NIK_A, regency="3578"), worker(NIK_B, regency="Kabupaten Sidoarjo")]
    batch = upload(surabaya_data_officer, xlsx_bytes(rows))
    assert batch.scope_regency_id == "3578"
    assert (batch.rows_accepted, batch.rows_rejected) == (1, 1)
    assert ImportRow.objects.get(batch=batch, status="rejected").errors == [
        {
            "column": "Kabupaten/Kota",
            "code": "labourdata.regency_out_of_scope",
            "message": (
                "Baris ini untuk Kabupaten Sidoarjo; Anda hanya dapat mengimpor data Kota Surabaya."
            ),
        }
    ]


def test_people_without_the_capability_cannot_upload(manager: User, officer: User) -> None:
    for actor in (manager, officer):
        with pytest.raises(ApplicationError) as caught:
            import_batch_upload(
                actor=actor,
                kind="workers",
                source="company",
                name="x.xlsx",
                upload=io.BytesIO(xlsx_bytes([worker(NIK_A)])),
            )
        assert caught.value.code == "account.capability_missing"


def test_jps_lists_import_through_the_same_machinery(province_data_officer: User) -> None:
    headers = [column.header for column in JPS_COLUMNS]
    rows = [
        [NIK_A, "Siti Rahayu", "bst", "Rp 600.000", "2020-04"],
        [NIK_A, "Siti Rahayu", "BST", "600000", "04/2020"],
        [NIK_A, "Siti Rahayu", "PKH", "", "2020-04"],
        [NIK_B, "Budi", "BPNT", "enam ratus", "April"],
    ]
    batch = upload(province_data_officer, xlsx_bytes(rows, headers=headers), kind="jps", source="")
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_accepted, batch.rows_duplicate, batch.rows_rejected) == (2, 1, 1)
    receipts = JpsRecipient.objects.order_by("row_number")
    assert [(r.programme, r.amount, r.period) for r in receipts] == [
        ("BST", 600000, "2020-04"),
        ("PKH", None, "2020-04"),
    ]
    rejected = ImportRow.objects.get(batch=batch, status="rejected")
    assert [error["code"] for error in rejected.errors] == [
        "labourdata.amount_invalid",
        "labourdata.period_invalid",
    ]


def test_counts_per_category_and_regency(province_data_officer: User, manager: User) -> None:
    rows = [
        worker(fake_nik(serial=300 + i), category=category, regency=regency, migrant_reason=reason)
        for i, (category, regency, reason) in enumerate(
            [
                ("Dirumahkan", "Kota Surabaya", ""),
                ("Dirumahkan", "Kota Surabaya", ""),
                ("PHK", "Kabupaten Sidoarjo", ""),
                ("PMI", "Kabupaten Malang", "Kontrak Selesai"),
                ("PHK Sebelum COVID-19", "Kota Surabaya", ""),
            ]
        )
    ]
    upload(province_data_officer, xlsx_bytes(rows))
    # The same furloughed worker reported again by the ministry counts once.
    upload(province_data_officer, xlsx_bytes([rows[0]]), source="ministry")

    figures = worker_counts(actor=manager)
    assert figures.totals == {
        "laid_off": 1,
        "furloughed": 2,
        "migrant": 1,
        "laid_off_pre_covid": 1,
    }
    assert figures.people == 5
    by_regency = {row.regency_code: row.by_category for row in figures.regencies}
    assert by_regency["3578"] == {
        "laid_off": 0,
        "furloughed": 2,
        "migrant": 0,
        "laid_off_pre_covid": 1,
    }
    assert worker_counts(actor=manager, source="ministry").totals["furloughed"] == 1


def test_the_nik_an_import_stores_is_read_back_by_identity(province_data_officer: User) -> None:
    upload(province_data_officer, xlsx_bytes([worker(NIK_A, "Siti Rahayu")]))

    person = Person.objects.get(nik_index=blind_index(NIK_A, purpose="nik"))
    assert crypto.decrypt(person.nik_encrypted) == NIK_A
    assert crypto.is_current(person.nik_encrypted)


def test_persons_created_by_an_import_have_their_history_row_naming_the_uploader(
    province_data_officer: User,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    history_table = Person.history.model._meta.db_table  # type: ignore[attr-defined]
    niks = [fake_nik(serial=serial) for serial in (41, 42, 43)]
    with CaptureQueriesContext(connection) as queries:
        batch = upload(province_data_officer, xlsx_bytes([worker(nik) for nik in niks]))
    persons = list(
        Person.objects.filter(nik_index__in=[blind_index(nik, purpose="nik") for nik in niks])
    )
    assert len(persons) == 3
    rows = sorted(
        Person.history.filter(id__in=[p.pk for p in persons]).values_list(  # type: ignore[attr-defined]
            "id", "history_type", "history_user_id", "history_change_reason", "nik_index"
        )
    )
    assert rows == sorted(
        (p.pk, "+", province_data_officer.pk, f"impor data: batch {batch.pk}", p.nik_index)
        for p in persons
    )
    # One statement for the persons' history, not one per person.
    writes = [
        query
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("INSERT") and history_table in query["sql"]
    ]
    assert len(writes) == 1
