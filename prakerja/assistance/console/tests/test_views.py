"""The officer console pages, with personas: Ani (Surabaya post), Budi (Malang post)."""

from __future__ import annotations

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.assistance.console.tests.conftest import NIK_BUDI, NIK_SITI, PHONE_BUDI, PHONE_SITI
from prakerja.assistance.models import AssistanceVisit
from prakerja.identity.models import Person, PersonalDataAccess
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.registry.models import Registration

TOKEN = "7d0c2f6e-0b1a-4f7e-9d55-0d6b2c9a1e01"


@pytest.fixture
def ani(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/petugas/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["applicant", "callcentre_agent", "manager", "viewer"])
def test_it_refuses_everyone_but_officers(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/petugas/").status_code == 403
    assert client.post("/petugas/cari/", {"q": NIK_SITI}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_it_lists_the_registrations_of_the_own_post_only(
    ani: Client, surabaya_registration: Registration, malang_registration: Registration
) -> None:
    response = ani.get("/petugas/")
    assert response.status_code == 200
    content = response.content.decode()
    assert surabaya_registration.reference in content
    assert malang_registration.reference not in content
    # Masked even for the own post: the list is read over a counter.
    assert NIK_SITI not in content and "3578********0011" in content
    assert PHONE_SITI not in content and "+62*******811" in content


def test_it_pins_the_queries_of_the_own_post_list(
    ani: Client, officer: User, django_assert_max_num_queries: object
) -> None:
    from prakerja.assistance.console.testing import make_registration

    for _n in range(30):
        make_registration(post=officer.post, officer=officer)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert ani.get("/petugas/").status_code == 200


def test_an_officer_of_another_post_is_refused_the_registration(
    client: Client, other_officer: User, surabaya_registration: Registration
) -> None:
    client.force_login(other_officer)
    response = client.get(f"/petugas/pendaftaran/{surabaya_registration.reference}/")
    assert response.status_code == 403
    assert "Siti" not in response.content.decode()


def test_the_own_officer_opens_the_registration(
    ani: Client, surabaya_registration: Registration
) -> None:
    response = ani.get(f"/petugas/pendaftaran/{surabaya_registration.reference}/")
    assert response.status_code == 200
    assert f"/daftar/{surabaya_registration.reference}/identity/" in response.content.decode()


def test_a_cross_post_nik_lookup_shows_a_masked_summary_and_is_logged(
    ani: Client, officer: User, malang_registration: Registration
) -> None:
    response = ani.post("/petugas/cari/", {"q": " ".join([NIK_BUDI[:4], NIK_BUDI[4:]])})
    content = response.content.decode()
    assert response.status_code == 200
    assert malang_registration.reference in content
    assert "Bu*** Sa***" in content and "Kota Malang" in content
    assert "Budi Santoso" not in content
    assert NIK_BUDI not in content and NIK_BUDI[-4:] + "<" not in content
    assert PHONE_BUDI[3:] not in content
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.purpose, access.query_kind) == (
        officer,
        malang_registration.person,
        "cross_post_lookup",
        "nik",
    )


def test_a_cross_post_lookup_that_finds_nothing_is_logged_too(ani: Client, db: None) -> None:
    response = ani.post("/petugas/cari/", {"q": "PJ-2345-6789"})
    assert response.status_code == 200
    assert "Tidak ditemukan." in response.content.decode()
    assert PersonalDataAccess.objects.get().found is False


def test_an_own_post_lookup_shows_the_record_and_is_not_logged(
    ani: Client, surabaya_registration: Registration
) -> None:
    response = ani.post("/petugas/cari/", {"q": surabaya_registration.reference.lower()})
    assert "Siti Aminah" in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_phone_search_never_crosses_posts(ani: Client, malang_registration: Registration) -> None:
    response = ani.post("/petugas/cari/", {"q": "0812-3456-7812"})
    content = response.content.decode()
    assert malang_registration.reference not in content
    assert "Tidak ada pendaftaran yang cocok di posko Anda." in content
    assert not PersonalDataAccess.objects.exists()


def test_a_query_that_is_neither_nik_phone_nor_reference_is_explained(ani: Client) -> None:
    response = ani.post("/petugas/cari/", {"q": "siti"})
    assert (
        "Masukkan NIK (16 angka), nomor HP, atau nomor pendaftaran (mis. PJ-7K3M-9Q2X)."
        in response.content.decode()
    )


def test_registering_someone_starts_a_post_registration_and_opens_the_wizard(
    ani: Client, officer: User
) -> None:
    page = ani.get("/petugas/daftarkan/")
    assert 'name="submission_token"' in page.content.decode()
    data = {"phone": "0812 3456 7899", "nik": "", "submission_token": TOKEN}
    first = ani.post("/petugas/daftarkan/", data)
    again = ani.post("/petugas/daftarkan/", data)  # the double click
    registration = Registration.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/daftar/{registration.reference}/identity/"
    assert (registration.channel, registration.assisted_post, registration.assisted_by) == (
        "post",
        officer.post,
        officer,
    )
    assert str(registration.user.phone) == "+6281234567899"
    assert not registration.user.has_usable_password()
    visit = AssistanceVisit.objects.get()
    assert (visit.post, visit.services, visit.registration) == (
        officer.post,
        ["registration"],
        registration,
    )


def test_registering_someone_with_a_nik_records_it_for_the_identity_step(
    ani: Client, officer: User
) -> None:
    nik = fake_nik(serial=31)
    response = ani.post(
        "/petugas/daftarkan/",
        {"phone": "0812 3456 7899", "nik": nik, "submission_token": TOKEN},
    )
    registration = Registration.objects.select_related("person").get()
    assert response.status_code == 302
    assert registration.person is not None and registration.person.nik == nik
    assert Person.objects.filter(nik_index=registration.person.nik_index).count() == 1
    assert registration.history.latest().history_user == officer

    # The wizard shows the NIK masked (never in a form field) and does not ask for it again.
    page = ani.get(f"/daftar/{registration.reference}/identity/").content.decode()
    assert f"NIK tersimpan: {registration.person.nik_masked}" in page
    assert nik not in page
    identity = {
        "kk": fake_kk(serial=31),
        "full_name": "Sri Wahyuni",
        "birth_place": "Surabaya",
        "birth_date": "1990-08-17",
        "gender": "P",
        "submission_token": "7d0c2f6e-0b1a-4f7e-9d55-0d6b2c9a1e02",
    }
    saved = ani.post(f"/daftar/{registration.reference}/identity/", identity)
    assert saved.status_code == 302
    registration.refresh_from_db()
    assert registration.person is not None and registration.person.nik == nik
    assert registration.kk_index != "" and registration.nik_warnings == []


def test_registering_someone_with_a_nik_stated_with_another_birth_date_warns_in_the_wizard(
    ani: Client,
) -> None:
    nik = fake_nik(serial=32)
    ani.post(
        "/petugas/daftarkan/", {"phone": "0812 3456 7899", "nik": nik, "submission_token": TOKEN}
    )
    registration = Registration.objects.get()
    ani.post(
        f"/daftar/{registration.reference}/identity/",
        {
            "kk": fake_kk(serial=32),
            "full_name": "Sri Wahyuni",
            "birth_place": "Surabaya",
            "birth_date": "1991-08-17",
            "gender": "P",
            "submission_token": "7d0c2f6e-0b1a-4f7e-9d55-0d6b2c9a1e03",
        },
    )
    registration.refresh_from_db()
    assert [w["code"] for w in registration.nik_warnings] == ["nik.birth_date_mismatch"]


def test_registering_keeps_the_form_and_says_what_is_wrong(ani: Client) -> None:
    response = ani.post(
        "/petugas/daftarkan/",
        {"phone": "021 555 1234", "nik": "", "submission_token": TOKEN},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nomor ini bukan nomor HP" in content
    assert f'value="{TOKEN}"' in content  # the same submission, corrected
    assert not Registration.objects.exists()


def test_registering_a_nik_that_has_another_account_is_refused(
    ani: Client, malang_registration: Registration
) -> None:
    response = ani.post(
        "/petugas/daftarkan/",
        {"phone": "081234567899", "nik": NIK_BUDI, "submission_token": TOKEN},
    )
    assert "NIK ini sudah terdaftar dengan akun lain." in response.content.decode()
    assert Registration.objects.count() == 1


def test_handover_prints_a_one_time_code_never_a_password(
    ani: Client, surabaya_registration: Registration
) -> None:
    surabaya_registration.user.phone = PHONE_SITI
    surabaya_registration.user.save()
    response = ani.post(
        f"/petugas/pendaftaran/{surabaya_registration.reference}/serah-terima/",
        {"method": "print", "submission_token": TOKEN},
    )
    assert response.status_code == 200
    assert "Kode masuk sekali pakai" in response.content.decode()
    assert response.context["code"]


def test_handover_by_sms_sends_the_code_to_the_applicant(
    ani: Client, surabaya_registration: Registration, django_capture_on_commit_callbacks: object
) -> None:
    surabaya_registration.user.phone = PHONE_SITI
    surabaya_registration.user.save()
    url = f"/petugas/pendaftaran/{surabaya_registration.reference}/serah-terima/"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = ani.post(url, {"method": "sms", "submission_token": TOKEN})
    assert response.status_code == 302
    page = ani.get(response["Location"])
    assert "Kode masuk dikirim lewat SMS ke nomor HP pendaftar." in page.content.decode()


def test_an_officer_of_another_post_cannot_hand_over_access(
    client: Client, other_officer: User, surabaya_registration: Registration
) -> None:
    client.force_login(other_officer)
    response = client.post(
        f"/petugas/pendaftaran/{surabaya_registration.reference}/serah-terima/",
        {"method": "print", "submission_token": TOKEN},
    )
    assert response.status_code == 403


def test_recording_services_twice_with_one_token_records_one_visit(
    ani: Client, officer: User, surabaya_registration: Registration
) -> None:
    data = {
        "services": ["email_help", "document_help"],
        "reference": surabaya_registration.reference,
        "submission_token": TOKEN,
    }
    first = ani.post("/petugas/layanan/", data)
    second = ani.post("/petugas/layanan/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    visit = AssistanceVisit.objects.get()
    assert (visit.services, visit.registration, visit.officer) == (
        ["document_help", "email_help"],
        surabaya_registration,
        officer,
    )


def test_recording_services_without_a_registration(ani: Client, officer: User) -> None:
    response = ani.post(
        "/petugas/layanan/", {"services": ["status_check"], "submission_token": TOKEN}
    )
    assert response.status_code == 302
    assert AssistanceVisit.objects.get().registration is None


def test_a_form_post_without_its_token_is_refused(ani: Client) -> None:
    response = ani.post("/petugas/layanan/", {"services": ["status_check"]})
    assert response.status_code == 400
    assert not AssistanceVisit.objects.exists()
