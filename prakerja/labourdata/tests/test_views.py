"""The pages and the API: upload returns at once, progress fragment, downloads, counts."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from prakerja.accounts.models import User
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata import synthetic
from prakerja.labourdata.columns import WORKER_COLUMNS
from prakerja.labourdata.models import ImportBatch, ReportedWorker
from prakerja.labourdata.services import import_batch_process
from prakerja.labourdata.spreadsheet import table_read
from prakerja.labourdata.tests.conftest import upload, worker, xlsx_bytes

pytestmark = pytest.mark.django_db

NIK_A = fake_nik(serial=41)
NIK_B = fake_nik(serial=42)


def _post_upload(client: Client, data: bytes, name: str = "laporan.xlsx", **fields: str) -> Any:
    return client.post(
        "/data-disnaker/",
        {
            "kind": "workers",
            "source": "company",
            "file": SimpleUploadedFile(name, data),
            "submission_token": uuid.uuid4().hex,
            **fields,
        },
    )


def test_upload_returns_at_once_and_the_page_shows_progress(
    client: Client, province_data_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(province_data_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post_upload(client, xlsx_bytes([worker(NIK_A), worker("123")]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/data-disnaker/impor/{batch.pk}/"
    assert len(callbacks) == 1  # the job is queued after commit, not run in the request
    assert batch.status == ImportBatch.Status.QUEUED

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'hx-trigger="every 2s"' in page.content
    assert "Berkas diterima dan sedang diproses." in page.content.decode()

    import_batch_process(batch_id=batch.pk)
    fragment = client.get(response["Location"], {"fragment": "progress"})
    text = fragment.content.decode()
    assert "<html" not in text
    assert 'data-status="completed"' in text
    assert "hx-trigger" not in text  # finished: polling stops
    assert f"/data-disnaker/impor/{batch.pk}/ditolak.xlsx" in text


def test_the_upload_form_explains_a_refused_file(
    client: Client, province_data_officer: User
) -> None:
    client.force_login(province_data_officer)
    response = _post_upload(client, b"", name="kosong.xlsx")
    assert response.status_code == 400
    assert "Berkas kosong (0 byte). Pilih berkas yang berisi data." in response.content.decode()
    assert not ImportBatch.objects.exists()
    response = _post_upload(client, xlsx_bytes([worker(NIK_A)]), source="")
    assert response.status_code == 400
    assert "Pilih sumber data." in response.content.decode()


def test_rejected_rows_download_as_xlsx_and_csv(
    client: Client, province_data_officer: User
) -> None:
    batch = upload(province_data_officer, xlsx_bytes([worker(NIK_A), worker("123", "=1+1")]))
    client.force_login(province_data_officer)

    response = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="ditolak-{batch.pk}-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Alasan"
    assert rows[1][:2] == ["123", "'=1+1"]  # a formula is never handed back live
    assert "Isian diawali tanda “=” (rumus)" in rows[1][-1]

    response = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.xlsx")
    assert response.status_code == 200
    table = table_read(
        data=response.content,
        name="ditolak.xlsx",
        columns=WORKER_COLUMNS,
    )
    assert table.cells["nik"] == ["123"]
    assert client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.pdf").status_code == 404


def test_a_regency_officer_cannot_see_another_regencys_import(
    client: Client, province_data_officer: User, surabaya_data_officer: User
) -> None:
    batch = upload(province_data_officer, xlsx_bytes([worker(NIK_A)]))
    client.force_login(surabaya_data_officer)
    assert client.get(f"/data-disnaker/impor/{batch.pk}/").status_code == 403
    assert client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv").status_code == 403
    assert client.get("/data-disnaker/impor/999999/").status_code == 404


def test_only_the_uploading_office_downloads_the_rejected_rows_with_full_niks(
    client: Client, province_data_officer: User, surabaya_data_officer: User
) -> None:
    batch = upload(surabaya_data_officer, xlsx_bytes([worker(NIK_A), worker("123", "Budi")]))
    assert batch.rows_rejected == 1
    client.force_login(province_data_officer)
    page = client.get(f"/data-disnaker/impor/{batch.pk}/").content.decode()
    assert 'id="rejected-other-office"' in page
    assert "ditolak.csv" not in page
    response = client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv")
    assert response.status_code == 403
    assert "hanya dapat diunduh oleh kantor yang mengunggah daftar ini" in response.content.decode()
    assert not PersonalDataAccess.objects.exists()

    client.force_login(surabaya_data_officer)
    assert client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv").status_code == 200
    assert PersonalDataAccess.objects.get().actor == surabaya_data_officer


def test_the_superadmin_does_not_download_full_niks_of_a_province_upload(
    client: Client, province_data_officer: User, superadmin: User
) -> None:
    batch = upload(province_data_officer, xlsx_bytes([worker(NIK_A), worker("123", "Budi")]))
    client.force_login(superadmin)
    assert client.get(f"/data-disnaker/impor/{batch.pk}/ditolak.csv").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_only_importers_reach_the_import_pages(
    client: Client, manager: User, viewer: User, applicant: User
) -> None:
    for person in (manager, viewer, applicant):
        client.force_login(person)
        assert client.get("/data-disnaker/").status_code == 403
        assert client.get("/data-disnaker/templat/workers.xlsx").status_code == 403


def test_templates_download_for_both_kinds(client: Client, province_data_officer: User) -> None:
    client.force_login(province_data_officer)
    for kind, name in (("workers", "pekerja-terdampak"), ("jps", "penerima-jps")):
        response = client.get(f"/data-disnaker/templat/{kind}.xlsx")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="templat-{name}.xlsx"'
        assert response.content.startswith(b"PK")
    assert client.get("/data-disnaker/templat/lain.xlsx").status_code == 404


def test_counts_page_and_api(client: Client, province_data_officer: User, manager: User) -> None:
    upload(
        province_data_officer,
        xlsx_bytes([worker(NIK_A), worker(NIK_B, category="PHK", regency="Kota Malang")]),
    )
    client.force_login(manager)
    page = client.get("/data-disnaker/rekap/")
    assert page.status_code == 200
    assert 'id="total-furloughed">1<' in page.content.decode()

    response = client.get("/api/v1/labourdata/counts")
    assert response.status_code == 200
    body = response.json()
    assert body["people"] == 2
    assert body["totals"] == {
        "laid_off": 1,
        "furloughed": 1,
        "migrant": 0,
        "laid_off_pre_covid": 0,
    }
    assert {row["regency_code"] for row in body["regencies"]} == {"3573", "3578"}
    assert client.get("/api/v1/labourdata/counts", {"source": "nope"}).status_code == 422


def test_batch_api_follows_an_import(client: Client, province_data_officer: User) -> None:
    batch = upload(province_data_officer, xlsx_bytes([worker(NIK_A)]))
    client.force_login(province_data_officer)
    body = client.get(f"/api/v1/labourdata/batches/{batch.pk}").json()
    assert (body["status"], body["rows_accepted"], body["progress_percent"]) == (
        "completed",
        1,
        100,
    )
    assert [item["id"] for item in client.get("/api/v1/labourdata/batches").json()] == [batch.pk]
    assert client.get("/api/v1/labourdata/batches/99999").status_code == 404


def test_generated_spreadsheets_import_with_their_truth(
    tmp_path: Path, province_data_officer: User
) -> None:
    call_command(
        "labourdata_generate",
        "--out",
        str(tmp_path),
        "--reports",
        "200",
        "--registrants",
        "300",
        "--insert",
        stdout=io.StringIO(),
    )
    truth = list(csv.DictReader((tmp_path / "kebenaran.csv").open(encoding="utf-8")))
    assert len(truth) == 200
    assert 100 <= sum(1 for row in truth if row["reference"]) <= 140
    batch = upload(province_data_officer, (tmp_path / "pekerja.xlsx").read_bytes())
    assert batch.status == ImportBatch.Status.COMPLETED
    assert batch.rows_accepted == 200, list(batch.rows.filter(status="rejected").values("errors"))
    jps = upload(province_data_officer, (tmp_path / "jps.xlsx").read_bytes(), kind="jps", source="")
    assert jps.rows_accepted == jps.rows_total > 0

    from prakerja.registry.models import Registration

    assert Registration.objects.filter(status="submitted").count() == 300
    # Exact NIK matches are simply the same person: those without a NIK typo.
    registered_persons = set(Registration.objects.values_list("person_id", flat=True))
    linked = ReportedWorker.objects.filter(person_id__in=registered_persons).count()
    with_reference = sum(1 for row in truth if row["reference"])
    assert with_reference * 0.85 <= linked <= with_reference


def test_name_variants_are_realistic() -> None:
    import random

    rng = random.Random(5)
    assert synthetic.spelling_old("Suparman Cahyono", random.Random(1)) in {
        "Soeparman Cahyono",
        "Suparman Tjahyono",
        "Suparman Cahyono".replace("u", "oe", 1),
    }
    variants = {synthetic.name_variant("Muhammad Yusuf Hidayat", rng) for _ in range(300)}
    assert any(variant.startswith(("Moh. ", "MOH. ")) for variant in variants)
    assert any(variant.startswith(("M. ", "H. M. ")) for variant in variants)
    assert any(variant.isupper() for variant in variants)
    nik = fake_nik(serial=77)
    typo = synthetic.nik_typo(nik, rng)
    assert sum(a != b for a, b in zip(nik, typo, strict=True)) == 1


def test_the_upload_queues_a_job_the_database_worker_runs(
    province_data_officer: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.management.commands import db_worker

    from prakerja.labourdata.services import import_batch_upload

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    # As in core's worker test: keep the test's own connection open between jobs.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_batch_upload(
            actor=province_data_officer,
            kind="workers",
            source="province",
            name="antre.xlsx",
            upload=io.BytesIO(xlsx_bytes([worker(NIK_A), worker(NIK_B)])),
        )
    assert ImportBatch.objects.get().status == ImportBatch.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert (batch.status, batch.rows_accepted) == ("completed", 2)


def test_the_rejected_rows_are_on_the_page_a_page_at_a_time_with_the_nik_masked(
    client: Client, province_data_officer: User, surabaya_data_officer: User
) -> None:
    bad = [worker(fake_nik(serial=100 + n)[:15], f"Orang Ke {n}") for n in range(60)]
    batch = upload(province_data_officer, xlsx_bytes([worker(NIK_A), *bad]))
    assert batch.rows_rejected == 60
    client.force_login(province_data_officer)

    first = client.get(f"/data-disnaker/impor/{batch.pk}/").content.decode()
    assert "Baris 1–50 dari 60 yang ditolak" in first
    assert "Orang Ke 0" in first
    assert "Orang Ke 55" not in first
    assert "Halaman 1 dari 2" in first
    assert bad[0][0] not in first  # masked: the full NIK is in the logged download only
    assert 'href="?halaman=2#rejected-rows"' in first

    second = client.get(f"/data-disnaker/impor/{batch.pk}/", {"halaman": "2"}).content.decode()
    assert "Orang Ke 55" in second
    assert "Baris 51–60 dari 60" in second
    for junk in ("abc", "-1", "99999"):  # a bad page number shows a real page, never an error
        page = client.get(f"/data-disnaker/impor/{batch.pk}/", {"halaman": junk})
        assert page.status_code == 200
        assert "yang ditolak, urut sesuai berkas" in page.content.decode()
    assert not PersonalDataAccess.objects.exists()  # looking is not downloading
