"""Walk-ins without a phone of their own: registered with a relative's number or none, and
signing in with their reference and a printed one-time code."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from prakerja.accounts.models import AccessCode, User
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.assistance.console.tests.conftest import PHONE_BUDI
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.answers import registration_answers
from prakerja.registry.models import Registration
from prakerja.registry.selectors import registration_missing_steps
from prakerja.registry.steps import Step

RELATIVE_PHONE = "0812 3456 7801"


def _token() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def ani(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def _register(ani: Client, **data: str) -> object:
    return ani.post("/petugas/daftarkan/", {"submission_token": _token(), **data})


def test_someone_without_any_phone_gets_an_account_named_by_their_reference(
    ani: Client, officer: User
) -> None:
    response = _register(ani, phone_owner="none", phone="", nik=fake_nik(serial=61))
    registration = Registration.objects.select_related("user").get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert registration.phone_owner == Registration.PhoneOwner.NONE
    assert not registration.phone
    account = registration.user
    assert account.phone is None and not account.has_usable_password()
    assert account.username == registration.reference.replace("-", "")
    assert registration.history.latest().history_user == officer
    assert account.history.latest().history_user == officer


def test_a_relatives_number_goes_on_the_registration_never_on_the_account(
    ani: Client,
) -> None:
    # The relative has an applicant account of their own under that number: it is untouched.
    applicant, _made = applicant_get_or_create_by_phone(phone=RELATIVE_PHONE)
    relative_before = User.objects.get(pk=applicant.pk)
    _register(ani, phone_owner="relative", phone=RELATIVE_PHONE, nik=fake_nik(serial=62))
    registration = Registration.objects.select_related("user").get()
    assert registration.phone_owner == Registration.PhoneOwner.RELATIVE
    assert str(registration.phone) == str(applicant.phone)
    assert registration.user.pk != applicant.pk and registration.user.phone is None
    assert User.objects.get(pk=applicant.pk).username == relative_before.username


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"phone_owner": "none", "phone": ""}, "nik", "NIK wajib diisi bila pendaftar"),
        ({"phone_owner": "relative", "phone": ""}, "phone", "Tulis nomor HP, atau pilih"),
        ({"phone_owner": "none", "phone": RELATIVE_PHONE}, "phone", "Kosongkan nomor HP"),
        ({"phone_owner": "relative", "phone": "12"}, "phone", "Nomor HP"),
    ],
)
def test_a_phone_less_registration_with_a_gap_is_refused_and_nothing_is_made(
    ani: Client, data: dict[str, str], field: str, message: str
) -> None:
    users_before = User.objects.count()
    response = _register(ani, **data)
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert 'class="error-summary"' in page and f'href="#id_{field}"' in page
    assert message in page
    assert not Registration.objects.exists()
    assert User.objects.count() == users_before


def test_the_same_person_coming_back_continues_their_registration(ani: Client) -> None:
    nik = fake_nik(serial=63)
    _register(ani, phone_owner="none", nik=nik)
    _register(ani, phone_owner="relative", phone=RELATIVE_PHONE, nik=nik)
    registration = Registration.objects.get()
    assert User.objects.filter(phone__isnull=True, role="applicant").count() == 1
    # The second visit brought a relative's number: it is recorded.
    assert registration.phone_owner == Registration.PhoneOwner.RELATIVE
    assert str(registration.phone) == "+6281234567801"


def test_a_nik_registered_with_its_own_phone_is_not_taken_over_by_a_phone_less_start(
    ani: Client,
) -> None:
    nik = fake_nik(serial=64)
    _register(ani, phone_owner="self", phone=PHONE_BUDI, nik=nik)
    response = _register(ani, phone_owner="none", nik=nik)
    assert "NIK ini sudah terdaftar dengan akun lain" in response.content.decode()  # type: ignore[attr-defined]
    assert Registration.objects.count() == 1
    assert not User.objects.filter(phone__isnull=True, role="applicant").exists()


def test_the_contact_step_of_someone_without_a_phone_can_stay_empty(ani: Client) -> None:
    _register(ani, phone_owner="none", nik=fake_nik(serial=65))
    registration = Registration.objects.get()
    assert Step.CONTACT not in registration_missing_steps(registration)
    page = ani.get(f"/daftar/{registration.reference}/contact/").content.decode()
    assert "Nomor HP keluarga atau kerabat" in page
    saved = ani.post(
        f"/daftar/{registration.reference}/contact/",
        {"phone": "", "email": "", "submission_token": _token()},
    )
    assert saved.status_code == 302
    registration.refresh_from_db()
    assert registration.phone_owner == Registration.PhoneOwner.NONE
    # A relative's number given later is kept, and the answer says whose it is.
    ani.post(
        f"/daftar/{registration.reference}/contact/",
        {"phone": RELATIVE_PHONE, "email": "", "submission_token": _token()},
    )
    registration.refresh_from_db()
    assert registration.phone_owner == Registration.PhoneOwner.RELATIVE
    sections = {s.step: s.answers for s in registration_answers(registration=registration)}
    assert str(sections[Step.CONTACT][0].label) == "Nomor HP keluarga atau kerabat"


def _printed_code(ani: Client, reference: str) -> str:
    slip = ani.post(
        f"/petugas/pendaftaran/{reference}/serah-terima/",
        {"method": "print", "submission_token": _token()},
    )
    assert slip.status_code == 200
    page = slip.content.decode()
    assert "data-print" in page and "Berlaku sampai" in page
    assert "nomor pendaftaran di atas" in page
    found = re.search(r'id="access-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', page)
    assert found is not None
    return found.group(1)


def test_the_printed_slip_lets_the_person_sign_in_with_their_reference(
    ani: Client, client: Client
) -> None:
    _register(ani, phone_owner="none", nik=fake_nik(serial=66))
    registration = Registration.objects.get()
    page = ani.get(f"/petugas/pendaftaran/{registration.reference}/").content.decode()
    assert 'value="sms"' not in page  # no phone to text
    code = _printed_code(ani, registration.reference)

    person = Client()
    typed = registration.reference.lower().replace("-", " ")  # as copied from paper
    wrong = person.post("/accounts/kode-akses/", {"phone": typed, "code": "AAAA-AAAA"})
    assert wrong.status_code == 200
    assert "nomor pendaftaran, atau kode akses salah" in wrong.content.decode()
    signed_in = person.post("/accounts/kode-akses/", {"phone": typed, "code": code})
    assert signed_in.status_code == 302
    assert person.session["_auth_user_id"] == str(registration.user_id)
    assert AccessCode.objects.get(used_at__isnull=False).user_id == registration.user_id
    # Single use.
    again = Client().post("/accounts/kode-akses/", {"phone": typed, "code": code})
    assert again.status_code == 200


def test_texting_a_code_to_an_account_without_a_phone_is_refused(ani: Client) -> None:
    _register(ani, phone_owner="none", nik=fake_nik(serial=67))
    registration = Registration.objects.get()
    response = ani.post(
        f"/petugas/pendaftaran/{registration.reference}/serah-terima/",
        {"method": "sms", "submission_token": _token()},
        follow=True,
    )
    assert "belum memiliki nomor HP" in response.content.decode()
    assert not AccessCode.objects.exists()
