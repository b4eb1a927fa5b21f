"""Retention: an import's file and rejected-row cells (full NIKs) go N days after it is done;
until then every rejected-rows download is in the personal-data access log."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.periodic import SCHEDULE
from prakerja.identity import crypto
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import ImportBatch, ImportDataDeletion, ImportRow
from prakerja.labourdata.retention import import_data_retention_apply
from prakerja.labourdata.services import import_batch_process, import_batch_upload
from prakerja.labourdata.tasks import import_data_retention_periodic
from prakerja.labourdata.tests.conftest import upload, worker, xlsx_bytes

pytestmark = pytest.mark.django_db

NIK_GOOD = fake_nik(serial=61)
_serials = itertools.count(62)
NIK_SHORT = "357801570890"  # 12 digits: rejected, and kept whole in the rejected-rows file


def _batch(actor: User, *, name: str, done_days_ago: int) -> ImportBatch:
    """A finished import with one accepted, one rejected and one duplicate row, done
    ``done_days_ago`` days ago, still holding (for the test) a file's ciphertext."""
    nik = fake_nik(serial=next(_serials))
    rows = [worker(nik, name), worker(NIK_SHORT, name), worker(nik, name)]
    batch = upload(actor, xlsx_bytes(rows), name=f"{name}.xlsx")
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (1, 1, 1)
    ImportBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=done_days_ago),
        file_encrypted=b"gAAAA-ciphertext-of-the-upload",
    )
    return batch


def _kept_cells(batch: ImportBatch) -> list[dict[str, str]]:
    return [
        json.loads(crypto.decrypt(raw))
        for raw in ImportRow.objects.filter(batch=batch)
        .exclude(raw_encrypted="")
        .values_list("raw_encrypted", flat=True)
    ]


def test_a_batch_done_31_days_ago_loses_its_file_and_cells_one_done_29_days_ago_keeps_them(
    province_data_officer: User,
) -> None:
    old = _batch(province_data_officer, name="Lama Sekali", done_days_ago=31)
    recent = _batch(province_data_officer, name="Baru Saja", done_days_ago=29)

    result = import_data_retention_apply()

    assert (result.batches, result.rows_cleared) == (1, 2)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.file_encrypted) == b""
    assert _kept_cells(old) == []
    assert old.data_deleted_at is not None
    # The rows stay, with their status and reasons: the batch's figures do not change.
    assert ImportRow.objects.filter(batch=old, status="rejected").get().errors
    assert bytes(recent.file_encrypted) == b"gAAAA-ciphertext-of-the-upload"
    kept = _kept_cells(recent)
    assert len(kept) == 2
    assert NIK_SHORT in {cells["NIK"] for cells in kept}
    assert recent.data_deleted_at is None
    deletion = ImportDataDeletion.objects.get()
    assert (deletion.batch_id, deletion.deleted_by, deletion.retention_days) == (old.pk, None, 30)
    assert (deletion.rows_cleared, deletion.file_bytes_cleared) == (2, 30)
    assert deletion.reason == "retensi 30 hari setelah impor selesai"


def test_running_it_twice_deletes_nothing_more_and_audits_once(
    province_data_officer: User,
) -> None:
    _batch(province_data_officer, name="Lama Sekali", done_days_ago=31)
    import_data_retention_apply()

    again = import_data_retention_apply()

    assert (again.batches, again.rows_cleared) == (0, 0)
    assert ImportDataDeletion.objects.count() == 1


def test_the_setting_sets_the_number_of_days(province_data_officer: User, settings: Any) -> None:
    settings.LABOURDATA_RETENTION_DAYS = 7
    batch = _batch(province_data_officer, name="Seminggu", done_days_ago=8)
    assert import_data_retention_apply().batches == 1
    assert ImportDataDeletion.objects.get(batch=batch).retention_days == 7


def test_an_unfinished_batch_is_never_touched(province_data_officer: User) -> None:
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="antre.xlsx",
        upload=io.BytesIO(xlsx_bytes([worker(NIK_GOOD)])),
    )
    ImportBatch.objects.filter(pk=result.batch.pk).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )
    assert import_data_retention_apply().batches == 0
    result.batch.refresh_from_db()
    assert bytes(result.batch.file_encrypted) != b""


def test_the_command_and_the_nightly_job_run_it(
    province_data_officer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "labourdata_retention" in {job.name for job in SCHEDULE}
    first = _batch(province_data_officer, name="Lama Sekali", done_days_ago=40)

    call_command("labourdata_retention")

    assert capsys.readouterr().out == "Data 1 impor dihapus (2 baris dikosongkan).\n"
    assert ImportDataDeletion.objects.get(batch=first).reason == (
        "retensi 30 hari, dijalankan manual (labourdata_retention)"
    )
    _batch(province_data_officer, name="Lain Lagi", done_days_ago=45)
    assert import_data_retention_periodic.call(period=timezone.now().isoformat()) == 1


def test_every_rejected_rows_download_is_in_the_access_log(
    client: Client, surabaya_data_officer: User
) -> None:
    batch = _batch(surabaya_data_officer, name="Siti Rahayu", done_days_ago=3)
    client.force_login(surabaya_data_officer)

    csv_file = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv")
    xlsx_file = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.xlsx")

    assert (csv_file.status_code, xlsx_file.status_code) == (200, 200)
    # The uploading office gets the full NIK back until the retention date.
    assert NIK_SHORT in csv_file.content.decode("utf-8-sig")
    logged = list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "actor", "purpose", "subject", "person", "found"
        )
    )
    assert logged == [
        (
            surabaya_data_officer.pk,
            "rejected_rows_download",
            f"impor #{batch.pk} (csv)",
            None,
            True,
        ),
        (
            surabaya_data_officer.pk,
            "rejected_rows_download",
            f"impor #{batch.pk} (xlsx)",
            None,
            True,
        ),
    ]
    page = client.get(f"/data-disnaker/impor/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert batch.finished_at is not None
    kept_until = timezone.localtime(batch.finished_at + dt.timedelta(days=30))
    assert (
        "Baris yang ditolak berisi NIK lengkap; setiap unduhan dicatat. Data ini dihapus pada "
        f"{kept_until:%d-%m-%Y} sesuai ketentuan retensi data."
    ) in page


def test_after_retention_the_download_says_when_the_data_was_deleted(
    client: Client, province_data_officer: User
) -> None:
    batch = _batch(province_data_officer, name="Lama Sekali", done_days_ago=31)
    import_data_retention_apply()
    batch.refresh_from_db()
    client.force_login(province_data_officer)

    response = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.xlsx")

    assert response.status_code == 410
    message = (
        "Data baris yang ditolak dari impor ini sudah dihapus pada "
        f"{timezone.localtime(batch.data_deleted_at):%d-%m-%Y} sesuai ketentuan retensi data."
    )
    assert message in response.content.decode()
    assert not PersonalDataAccess.objects.exists()  # nothing was handed out
    page = client.get(f"/data-disnaker/impor/{batch.pk}/").content.decode()
    assert message in page
    assert "ditolak.xlsx" not in page


def test_a_failed_batch_uploaded_again_after_retention_keeps_its_new_rows(
    province_data_officer: User,
) -> None:
    data = xlsx_bytes([worker(NIK_GOOD), worker(NIK_SHORT)])
    first = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="gagal.xlsx",
        upload=io.BytesIO(data),
    ).batch
    ImportBatch.objects.filter(pk=first.pk).update(
        status=ImportBatch.Status.FAILED,
        file_encrypted=b"",
        finished_at=timezone.now() - dt.timedelta(days=31),
    )
    assert import_data_retention_apply().batches == 1

    again = upload(province_data_officer, data, name="gagal.xlsx", source="company")

    assert again.pk == first.pk
    assert again.data_deleted_at is None
    assert [cells["NIK"] for cells in _kept_cells(again)] == [NIK_SHORT]
    assert import_batch_process(batch_id=again.pk).rows_rejected == 1
