"""The applicant's rights over their data (UU PDP 27/2022): download everything (JSON, PDF)
and see who looked at it. Personas: Siti owns her registration, Budi is another applicant,
Ani is an officer of a Surabaya post who looks Siti up across posts."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance.models import CallCentreLine
from prakerja.callcenter.models import CallLog, Ticket
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.services import personal_data_access_record
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration

pytestmark = pytest.mark.django_db

NIK_SITI = fake_nik(serial=41)
KK_SITI = fake_kk(serial=41)
NIK_BUDI = fake_nik(serial=42, gender="L")
KK_BUDI = fake_kk(serial=42)
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@pytest.fixture(autouse=True)
def _programme(db: None) -> None:
    registry_seed_load()


def _registration(serial: int, kk_serial: int, *, phone: str) -> Registration:
    user = make_user(role=Role.APPLICANT)
    registration = complete_registration(
        user,
        serial=serial,
        kk_serial=kk_serial,
        overrides={Step.CONTACT: {"phone": phone}},
    )
    return registration_submit(actor=user, registration=registration)


@pytest.fixture
def siti_registration() -> Registration:
    return _registration(41, 41, phone="0812 3456 7890")


@pytest.fixture
def budi_registration() -> Registration:
    return _registration(42, 42, phone="0857 1111 2222")


@pytest.fixture
def siti(siti_registration: Registration) -> Client:
    client = Client()
    client.force_login(siti_registration.user)
    return client


@pytest.fixture
def budi(budi_registration: Registration) -> Client:
    client = Client()
    client.force_login(budi_registration.user)
    return client


def _urls(reference: str) -> dict[str, str]:
    return {
        "json": f"/data-pribadi/{reference}/unduh.json",
        "pdf": f"/data-pribadi/{reference}/unduh.pdf",
        "accesses": f"/data-pribadi/{reference}/akses/",
    }


# --- Download my data -------------------------------------------------------------------------


def test_the_applicant_downloads_their_data_as_json_with_their_full_nik_and_kk(
    siti: Client, siti_registration: Registration, budi_registration: Registration
) -> None:
    response = siti.get(_urls(siti_registration.reference)["json"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="data-pribadi-{siti_registration.reference}.json"'
    )
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["reference"] == siti_registration.reference
    assert data["identity"] == [{"nik": NIK_SITI, "kk": KK_SITI}]
    [registration] = data["registrations"]
    assert registration["reference"] == siti_registration.reference
    assert registration["full_name"] == "Siti Rahayu"
    assert registration["birth_date"] == "1990-08-17"
    assert registration["status"] == "Terkirim"
    assert data["consents"][0]["consent_at"]
    content = response.content.decode()
    assert NIK_BUDI not in content and KK_BUDI not in content
    assert budi_registration.reference not in content


def test_every_download_is_written_to_the_personal_data_access_log(
    siti: Client, siti_registration: Registration
) -> None:
    siti.get(_urls(siti_registration.reference)["json"])

    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.reference, access.purpose, access.found) == (
        siti_registration.user,
        siti_registration.person,
        siti_registration.reference,
        PersonalDataAccess.Purpose.SELF_EXPORT,
        True,
    )


def test_the_pdf_download_is_a_pdf_and_is_logged(
    siti: Client, siti_registration: Registration
) -> None:
    response = siti.get(_urls(siti_registration.reference)["pdf"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="data-pribadi-{siti_registration.reference}.pdf"'
    )
    assert PersonalDataAccess.objects.get().purpose == PersonalDataAccess.Purpose.SELF_EXPORT


def test_the_pdf_shows_the_full_nik_and_indonesian_dates() -> None:
    # The PDF's text is compressed; its HTML source is what the reader sees.
    from django.template.loader import render_to_string

    from prakerja.privacy.presentation import document_display
    from prakerja.privacy.selectors import personal_data_collect

    registration = _registration(41, 41, phone="0812 3456 7890")
    document = personal_data_collect(
        registration=registration, now=timezone.make_aware(datetime.datetime(2020, 4, 13, 9, 5))
    )
    html = render_to_string("privacy/export_pdf.html", {"document": document_display(document)})

    assert NIK_SITI in html and KK_SITI in html
    assert "13 April 2020 09.05 WIB" in html
    assert "17 Agustus 1990" in html
    assert "Siti Rahayu" in html


def test_the_download_holds_calls_tickets_and_messages_about_them(
    siti: Client, siti_registration: Registration, callcentre_agent: User
) -> None:
    call = CallLog.objects.create(
        line=CallCentreLine.objects.create(number="031-8293097", name="Call center 1"),
        agent=callcentre_agent,
        category=CallLog.Category.COMPLAINT,
        registration=siti_registration,
        outcome=CallLog.Outcome.FOLLOW_UP,
        notes="Menanyakan jadwal pelatihan",
    )
    Ticket.objects.create(call=call, subject="Belum menerima SMS", due_date="2020-04-20")
    phone = str(siti_registration.phone)
    OutboxMessage.objects.create(channel="sms", recipient=phone, body="Kode masuk Anda 123456")
    OutboxMessage.objects.create(channel="sms", recipient="+6285700000000", body="Bukan untuk Siti")

    data = json.loads(siti.get(_urls(siti_registration.reference)["json"]).content)

    assert [c["notes"] for c in data["calls"]] == ["Menanyakan jadwal pelatihan"]
    assert [t["subject"] for t in data["tickets"]] == ["Belum menerima SMS"]
    assert [m["body"] for m in data["messages"]] == ["Kode masuk Anda 123456"]
    # Which office handled it, never the agent's name.
    assert callcentre_agent.full_name not in json.dumps(data)


@pytest.mark.parametrize("kind", ["json", "pdf", "accesses"])
def test_another_applicant_gets_404_and_nothing_is_logged(
    budi: Client, siti_registration: Registration, kind: str
) -> None:
    response = budi.get(_urls(siti_registration.reference)[kind])

    assert response.status_code == 404
    assert NIK_SITI not in response.content.decode(errors="replace")
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("kind", ["json", "accesses"])
def test_staff_get_404_even_for_a_registration_they_may_open(
    client: Client, superadmin: User, siti_registration: Registration, kind: str
) -> None:
    client.force_login(superadmin)
    assert client.get(_urls(siti_registration.reference)[kind]).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, siti_registration: Registration
) -> None:
    response = client.get(_urls(siti_registration.reference)["json"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_status_page_links_to_the_downloads_and_the_access_log(
    siti: Client, siti_registration: Registration
) -> None:
    content = siti.get(f"/daftar/{siti_registration.reference}/").content.decode()

    for url in _urls(siti_registration.reference).values():
        assert f'href="{url}"' in content


# --- Who looked at my data --------------------------------------------------------------------


def test_an_officers_cross_post_lookup_appears_to_the_applicant_without_the_officers_name(
    siti: Client, budi: Client, officer: User, siti_registration: Registration
) -> None:
    ani = Client()
    ani.force_login(officer)
    assert ani.post("/petugas/cari/", {"q": NIK_SITI}).status_code == 200

    response = siti.get(_urls(siti_registration.reference)["accesses"])
    content = response.content.decode()
    assert response.status_code == 200
    assert "Petugas pendamping posko" in content
    assert officer.post is not None and officer.post.name in content
    assert "Pencarian lintas posko" in content
    now = timezone.localtime()
    assert f"{now.day} {MONTHS[now.month - 1]} {now.year}" in content
    assert officer.full_name not in content and officer.username not in content


def test_another_applicants_accesses_do_not_appear(
    siti: Client,
    officer: User,
    siti_registration: Registration,
    budi_registration: Registration,
) -> None:
    ani = Client()
    ani.force_login(officer)
    ani.post("/petugas/cari/", {"q": NIK_BUDI})

    content = siti.get(_urls(siti_registration.reference)["accesses"]).content.decode()

    assert "Pencarian lintas posko" not in content
    assert "Belum ada yang mengakses data Anda di luar posko Anda." in content


def test_the_applicants_own_downloads_are_listed_as_their_own(
    siti: Client, siti_registration: Registration
) -> None:
    siti.get(_urls(siti_registration.reference)["json"])

    content = siti.get(_urls(siti_registration.reference)["accesses"]).content.decode()

    assert "Anda sendiri" in content
    assert "Mengunduh data pribadi sendiri" in content


def test_the_access_log_page_is_paginated_with_pinned_queries(
    siti: Client,
    officer: User,
    siti_registration: Registration,
    django_assert_max_num_queries: Any,
) -> None:
    for _n in range(25):
        personal_data_access_record(
            actor=officer,
            purpose=PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
            person=siti_registration.person,
            reference=siti_registration.reference,
            query_kind=PersonalDataAccess.QueryKind.NIK,
            found=True,
        )
    url = _urls(siti_registration.reference)["accesses"]

    with django_assert_max_num_queries(6):
        first = siti.get(url).content.decode()
    second = siti.get(url + "?halaman=2").content.decode()

    assert first.count("Pencarian lintas posko") == 20
    assert "Halaman 1 dari 2" in first
    assert second.count("Pencarian lintas posko") == 5
