"""The /pencocokan/ pages through HTTP."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Kind
from prakerja.linkage.models import DataExport, JpsReviewCase, Link, LinkageRun
from prakerja.linkage.services import jps, runs
from prakerja.linkage.tests import factories as f
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import Wave

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pending_link(actor: User) -> Link:
    f.registrant(nik=fake_nik(serial=31), full_name="Agus Salim")
    f.worker(nik=fake_nik(serial=4431, district_code="357802"), full_name="Agus Salim")
    run = LinkageRun.objects.create(started_by=actor)
    runs.linkage_run_execute(run_id=run.pk)
    return Link.objects.get()


def token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    marker = 'name="submission_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_evidence_page_masks_niks_and_accepting_flags_the_registrant(
    surabaya_data_officer: User,
) -> None:
    link = pending_link(surabaya_data_officer)
    client = signed_in(surabaya_data_officer)
    url = f"/pencocokan/tautan/{link.pk}/"

    page = client.get(url).content.decode()
    assert "3578********4431" in page
    assert fake_nik(serial=4431, district_code="357802") not in page

    response = client.post(
        url, {"keputusan": "terima", "alasan": "", "submission_token": token(client, url)}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "accepted"
    assert link.registration.reported_by_disnaker is True


def test_rejecting_without_a_reason_shows_the_message(surabaya_data_officer: User) -> None:
    link = pending_link(surabaya_data_officer)
    client = signed_in(surabaya_data_officer)
    url = f"/pencocokan/tautan/{link.pk}/"

    response = client.post(
        url, {"keputusan": "tolak", "alasan": "", "submission_token": token(client, url)}
    )

    assert response.status_code == 400
    assert "Tuliskan alasannya." in response.content.decode()
    link.refresh_from_db()
    assert link.status == "pending"


def test_an_officer_of_another_regency_gets_403(surabaya_data_officer: User) -> None:
    from prakerja.accounts.models import Role
    from prakerja.accounts.testing import make_user

    link = pending_link(surabaya_data_officer)
    malang = make_user(role=Role.DATA_OFFICER, regency_code="3507")
    assert signed_in(malang).get(f"/pencocokan/tautan/{link.pk}/").status_code == 403


def test_an_applicant_cannot_open_the_pages(applicant: User) -> None:
    assert signed_in(applicant).get("/pencocokan/tinjau/").status_code == 403


def test_the_outreach_export_is_an_xlsx_of_text_cells_and_is_logged(
    surabaya_data_officer: User,
) -> None:
    f.worker(nik=fake_nik(serial=91), full_name="=SUM(A1)", phone="+6281200000091")

    response = signed_in(surabaya_data_officer).get("/pencocokan/penjangkauan/?format=xlsx")

    assert response.status_code == 200
    # A name that looks like a formula is never a live formula; the phone stays text with its
    # "+" (and the quote every cell starting with "+" gets, see core.exports).
    sheet = pl.read_excel(io.BytesIO(response.content), infer_schema_length=0)
    assert sheet.row(0)[1:3] == ("'=SUM(A1)", "'+6281200000091")
    export = DataExport.objects.get()
    assert (export.file_format, export.row_count) == ("xlsx", 1)


def test_the_outreach_csv_has_the_phone(surabaya_data_officer: User) -> None:
    f.worker(nik=fake_nik(serial=92), full_name="Belum Daftar", phone="+6281200000092")
    response = signed_in(surabaya_data_officer).get("/pencocokan/penjangkauan/?format=csv")
    assert "Belum Daftar,'+6281200000092" in response.content.decode("utf-8-sig")


def test_a_manager_resolves_a_jps_case_in_the_page(
    surabaya_data_officer: User, manager: User
) -> None:
    nik = fake_nik(serial=81)
    f.registrant(nik=nik, full_name="Penerima PKH")
    jps_batch = f.batch(kind=Kind.JPS, source="")
    f.jps_receipt(nik=nik, full_name="Penerima PKH", jps_batch=jps_batch)
    jps.jps_cases_open_for_batch(batch_id=jps_batch.pk)
    case = JpsReviewCase.objects.get()
    client = signed_in(manager)
    url = f"/pencocokan/jps/{case.pk}/"

    response = client.post(
        url,
        {"keputusan": "stop", "alasan": "Sudah menerima", "submission_token": token(client, url)},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.decision) == ("resolved", "stop")
    csv_text = client.get("/pencocokan/jps/pemantauan/?format=csv").content.decode()
    assert "3578,Kota Surabaya,1,0,0,1,0," in csv_text


def test_the_index_starts_a_run_and_serves_the_progress_fragment(
    surabaya_data_officer: User, settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = signed_in(surabaya_data_officer)
    response = client.post("/pencocokan/", {"submission_token": token(client, "/pencocokan/")})
    assert response.status_code == 302
    fragment = client.get("/pencocokan/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="progress"')
    assert 'hx-trigger="every 2s"' in fragment


def test_the_regional_ministry_page_and_csv_answer(province_data_officer: User) -> None:
    client = signed_in(province_data_officer)
    assert client.get("/pencocokan/daerah-kemnaker/").status_code == 200
    assert client.get("/pencocokan/daerah-kemnaker/?format=csv&kelompok=both").status_code == 200


def test_sms_invitations_are_sent_for_a_wave_chosen_from_the_list(
    surabaya_data_officer: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    f.worker(nik=fake_nik(serial=93), full_name="Belum Daftar", phone="+6281200000093")
    client = signed_in(surabaya_data_officer)
    assert "Belum ada gelombang" in client.get("/pencocokan/penjangkauan/").content.decode()
    now = timezone.now()
    wave = Wave.objects.create(
        programme=registry_seed_load().programme,
        number=1,
        name="Gelombang 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
        total_quota=100,
        status=Wave.Status.OPEN,
    )
    page = client.get("/pencocokan/penjangkauan/").content.decode()
    assert f'<option value="{wave.pk}">' in page

    data = {"gelombang": str(wave.pk), "kabupaten": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/pencocokan/penjangkauan/undang/",
            {**data, "submission_token": token(client, "/pencocokan/penjangkauan/")},
            follow=True,
        )
    assert "paling banyak satu per gelombang" in response.content.decode()
    assert OutboxMessage.objects.filter(recipient="+6281200000093").count() == 1

    response = client.post(
        "/pencocokan/penjangkauan/undang/",
        {"gelombang": "x", "submission_token": token(client, "/pencocokan/penjangkauan/")},
    )
    assert 400 <= response.status_code < 500
    assert "Pilih gelombang yang pendaftarannya masih atau akan dibuka" in (
        response.content.decode()
    )
    assert OutboxMessage.objects.filter(recipient="+6281200000093").count() == 1


def test_the_outreach_tab_is_for_those_who_may_export_only(
    surabaya_data_officer: User, manager: User
) -> None:
    officer_page = signed_in(surabaya_data_officer).get("/pencocokan/").content.decode()
    assert 'href="/pencocokan/penjangkauan/"' in officer_page
    client = signed_in(manager)
    assert 'href="/pencocokan/penjangkauan/"' not in client.get("/pencocokan/").content.decode()
    assert client.get("/pencocokan/penjangkauan/").status_code == 403
