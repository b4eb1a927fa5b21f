"""The ministry's list of training institutions (Sisnaker) reconciled with the providers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_provider, make_user, sign_in_with_totp
from prakerja.core.errors import ApplicationError
from prakerja.labourdata import sisnaker
from prakerja.labourdata.models import SisnakerInstitution, SisnakerMatch
from prakerja.training.models import Provider

pytestmark = pytest.mark.django_db
HEADER = "Nomor Sisnaker,Nama Lembaga,Jenis,Kabupaten/Kota,Alamat,Kapasitas per Tahun\n"


@pytest.fixture
def providers() -> dict[str, Provider]:
    return {
        "number": make_provider(
            name="LPK Cipta Karya",
            regency_code="3578",
            sisnaker_number="LPK.3578.0012",
            address="Jl. Darmo 12",
            yearly_capacity=200,
        ),
        "name": make_provider(
            name="LPK Sentra Digital",
            regency_code="3515",
            address="Jl. Pahlawan 7",
            yearly_capacity=120,
        ),
        "review": make_provider(name="LPK Bahasa Nusantara", regency_code="3509"),
        "missing": make_provider(name="LPK Mandiri Jaya", regency_code="3573"),
    }


CSV = (
    HEADER
    + "LPK.3578.0012,PT LPK Cipta Karya,LPK,Kota Surabaya,Jl. Raya Darmo No. 12,240\n"
    + ",LPK Sentra Digital,LPK,Kabupaten Sidoarjo,Jl. Pahlawan 7,120\n"
    + ",LPK Bahasa Nusantara Jember,LPK,Kabupaten Jember,,\n"
    + "LPK.3525.0044,PLK Gresik Teknik,PLK,Kabupaten Gresik,Jl. Veteran 21,200\n"
    + "LPK.9999.0001,LPK Luar Provinsi,LPK,Kota Bandung,,10\n"
)


def test_the_report_has_the_three_groups_and_a_review_queue(providers: dict[str, Any]) -> None:
    officer = make_user(role=Role.DATA_OFFICER)
    outcome = sisnaker.sisnaker_import(actor=officer, data=CSV.encode(), name="sisnaker.csv")
    assert (outcome.institutions, outcome.rejected) == (4, 1)
    assert outcome.list_import.rejected[0]["row"] == 6
    statuses = {m.provider.name: m.status for m in SisnakerMatch.objects.select_related("provider")}
    assert statuses["LPK Cipta Karya"] == "by_number"
    assert statuses["LPK Sentra Digital"] == "automatic"
    report = sisnaker.sisnaker_report(actor=officer, list_import=outcome.list_import)
    assert [p.name for p in report.missing_in_sisnaker] == ["LPK Mandiri Jaya"]
    not_registered = [i.name for rows in report.not_registered.values() for i in rows]
    assert not_registered == ["PLK Gresik Teknik"]
    assert [(m.match.provider.name, m.fields) for m in report.mismatches] == [
        ("LPK Cipta Karya", ["kapasitas"])
    ]
    review = report.to_review[0]
    assert review.provider == providers["review"]
    decided = sisnaker.sisnaker_match_decide(actor=officer, match_id=review.pk, same=True)
    assert decided.status == "confirmed"
    assert decided.history.first().history_user == officer  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError) as twice:
        sisnaker.sisnaker_match_decide(actor=officer, match_id=review.pk, same=False)
    assert twice.value.status == 409


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Nama,Kota\nLPK A,Surabaya\n", "labourdata"),
        (HEADER.encode() + b",,,Kota Surabaya,,\n", "sisnaker.no_rows"),
    ],
)
def test_bad_lists_are_refused_in_indonesian_and_store_nothing(content: bytes, code: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        sisnaker.sisnaker_import(
            actor=make_user(role=Role.MANAGER), data=content, name="daftar.csv"
        )
    assert refused.value.code.startswith(code)
    assert not SisnakerInstitution.objects.exists()


def test_pages_upload_report_csv_and_scope(providers: dict[str, Any], settings: Any) -> None:
    client = Client()
    sign_in_with_totp(client, make_user(role=Role.DATA_OFFICER))
    upload = SimpleUploadedFile("sisnaker.csv", CSV.encode(), content_type="text/csv")
    assert client.post("/data-disnaker/sisnaker/", {"file": upload}).status_code == 302
    page = client.get("/data-disnaker/sisnaker/").content.decode()
    assert 'id="count-missing">1<' in page and "PLK Gresik Teknik" in page
    csv = client.get("/data-disnaker/sisnaker/laporan.csv")
    assert b"Tidak ada di Sisnaker" in csv.content
    regency_officer = Client()
    sign_in_with_totp(regency_officer, make_user(role=Role.DATA_OFFICER, regency_code="3578"))
    upload = SimpleUploadedFile("sisnaker.csv", CSV.encode(), content_type="text/csv")
    assert regency_officer.post("/data-disnaker/sisnaker/", {"file": upload}).status_code == 403
    settings.LABOURDATA_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("besar.csv", CSV.encode() * 10, content_type="text/csv")
    assert client.post("/data-disnaker/sisnaker/", {"file": big}).status_code in (400, 413)
    applicant = Client()
    applicant.force_login(make_user(role=Role.APPLICANT))
    assert applicant.get("/data-disnaker/sisnaker/").status_code in (302, 403)


def test_api_report_and_decision(providers: dict[str, Any]) -> None:
    import json

    from prakerja.accounts.tokens import api_token_create

    officer = make_user(role=Role.DATA_OFFICER)
    headers = {"Authorization": f"Bearer {api_token_create(user=officer)}"}
    client = Client()
    assert client.get("/api/v1/labourdata/sisnaker/report", headers=headers).status_code == 404
    sisnaker.sisnaker_import(actor=officer, data=CSV.encode(), name="sisnaker.csv")
    report = client.get("/api/v1/labourdata/sisnaker/report", headers=headers).json()
    assert report["missing_in_sisnaker"] == ["LPK Mandiri Jaya"]
    match = report["to_review"][0]["match"]
    decided = client.post(
        f"/api/v1/labourdata/sisnaker/matches/{match}/decision",
        json.dumps({"same": False}),
        content_type="application/json",
        headers=headers,
    )
    assert decided.json() == {"status": "rejected"}
    viewer = {"Authorization": f"Bearer {api_token_create(user=make_user(role=Role.VIEWER))}"}
    assert client.get("/api/v1/labourdata/sisnaker/report", headers=viewer).status_code == 403
