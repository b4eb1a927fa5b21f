"""Lost SIM: an officer or call-centre agent moves an applicant to a new phone number after
checking NIK, name and birth date (``applicant_phone_change``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import AccessCode, PhoneChange, User
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.identity.tests.factories import fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration
from prakerja.registry.phone_change import applicant_phone_change
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.tests.conftest import complete_registration, new_applicant

OLD = "+6281234567890"
NEW = "+6285712345678"
TOKEN = "3f1c2b7a-8d4e-4a51-9c0b-5e6f7a8b9c01"
NIK = fake_nik(serial=51)


@pytest.fixture
def registration(db: None) -> Registration:
    registry_seed_load()
    user = new_applicant(phone=OLD)
    return complete_registration(user, serial=51)


def _change(actor: User, **overrides: Any) -> User:
    data: dict[str, Any] = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": date(1990, 8, 17),
        "new_phone": "0857 1234 5678",
        **overrides,
    }
    return applicant_phone_change(actor=actor, **data)


def test_an_officer_moves_the_account_to_the_new_number_after_the_identity_check(
    officer: User, registration: Registration, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _change(officer, full_name="  SITI   rahayu ")

    user.refresh_from_db()
    assert str(user.phone) == NEW and user.phone_verified_at is None
    registration.refresh_from_db()
    assert str(registration.phone) == NEW  # the receipt and reminders follow the number
    change = PhoneChange.objects.get()
    assert (change.requested_by, change.user, change.outcome) == (officer, user, "changed")
    assert change.old_phone_hint == "+62*******890" and change.new_phone_hint.endswith("678")
    last = user.history.latest()
    assert (last.history_user, str(last.phone)) == (officer, NEW)
    assert str(user.history.all()[1].phone) == OLD  # the history keeps the old number
    sms = {m.recipient: m.body for m in OutboxMessage.objects.all()}
    assert "sudah diganti oleh petugas" in sms[OLD]
    assert "Kode akses Prakerja Jatim" in sms[NEW]
    assert AccessCode.objects.filter(user=user, channel="sms").count() == 1


def test_a_call_centre_agent_may_change_the_number_too(
    callcentre_agent: User, registration: Registration
) -> None:
    assert str(_change(callcentre_agent).phone) == NEW


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "Siti Rahma"},
        {"birth_date": date(1990, 8, 18)},
        {"nik": fake_nik(serial=52)},  # well-formed, registered by nobody
    ],
)
def test_a_mismatch_changes_nothing_and_is_recorded(
    officer: User, registration: Registration, overrides: dict[str, Any]
) -> None:
    with pytest.raises(ApplicationError) as exc:
        _change(officer, **overrides)
    assert exc.value.code == "account.identity_mismatch"
    assert exc.value.message == (
        "NIK, nama lengkap, dan tanggal lahir tidak cocok dengan pendaftaran mana pun. "
        "Nomor HP tidak diganti. Periksa kembali KTP pendaftar."
    )
    registration.user.refresh_from_db()
    assert str(registration.user.phone) == OLD
    assert PhoneChange.objects.get().outcome == "identity_mismatch"
    assert not OutboxMessage.objects.exists()


def test_a_number_of_another_account_is_refused(officer: User, registration: Registration) -> None:
    new_applicant(phone=NEW)
    with pytest.raises(ApplicationError) as exc:
        _change(officer)
    assert (exc.value.code, exc.value.field) == ("account.phone_taken", "new_phone")
    registration.user.refresh_from_db()
    assert str(registration.user.phone) == OLD


def test_a_malformed_new_number_or_nik_is_refused_with_its_own_message(
    officer: User, registration: Registration
) -> None:
    with pytest.raises(ApplicationError) as exc:
        _change(officer, new_phone="021 555 1234")
    assert exc.value.field == "phone"
    with pytest.raises(ApplicationError) as exc:
        _change(officer, nik="1234")
    assert exc.value.field == "nik"
    assert not PhoneChange.objects.exists()


@pytest.mark.parametrize("persona", ["applicant", "manager", "viewer"])
def test_only_officers_and_agents_change_numbers(
    persona: str, registration: Registration, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        _change(request.getfixturevalue(persona))


def test_the_console_page_changes_the_number_once_per_submission(
    client: Client, officer: User, registration: Registration
) -> None:
    client.force_login(officer)
    assert "Ganti nomor HP pendaftar" in client.get("/petugas/ganti-nomor/").content.decode()
    data = {
        "nik": NIK,
        "full_name": "Siti Rahayu",
        "birth_date": "17-08-1990",
        "new_phone": "085712345678",
        "submission_token": TOKEN,
    }
    first = client.post("/petugas/ganti-nomor/", data)
    again = client.post("/petugas/ganti-nomor/", data)
    assert first.status_code == again.status_code == 302
    assert PhoneChange.objects.count() == 1
    registration.user.refresh_from_db()
    assert str(registration.user.phone) == NEW


def test_the_call_centre_page_shows_a_mismatch_on_the_form(
    client: Client, callcentre_agent: User, registration: Registration
) -> None:
    client.force_login(callcentre_agent)
    response = client.post(
        "/callcenter/ganti-nomor/",
        {
            "nik": NIK,
            "full_name": "Orang Lain",
            "birth_date": "17-08-1990",
            "new_phone": "085712345678",
            "submission_token": TOKEN,
        },
    )
    assert response.status_code == 200
    assert "tidak cocok dengan pendaftaran mana pun" in response.content.decode()
    assert 'value="Orang Lain"' in response.content.decode()  # the agent corrects, not retypes


def test_the_lost_phone_is_signed_out_and_its_api_tokens_stop(
    officer: User, registration: Registration
) -> None:
    from prakerja.accounts.tokens import api_token_authenticate, api_token_create

    applicant = registration.user
    on_lost_phone = Client()
    on_lost_phone.force_login(applicant)
    key = api_token_create(user=applicant)
    assert on_lost_phone.get("/").wsgi_request.user == applicant
    assert api_token_authenticate(key=key) == applicant

    _change(officer)

    assert not on_lost_phone.get("/").wsgi_request.user.is_authenticated
    assert api_token_authenticate(key=key) is None
    applicant.refresh_from_db()
    assert not applicant.has_usable_password()  # an SMS code to the new number signs in


def test_a_refused_change_signs_nobody_out(officer: User, registration: Registration) -> None:
    applicant = registration.user
    session = Client()
    session.force_login(applicant)
    with pytest.raises(ApplicationError):
        _change(officer, full_name="Orang Lain")
    assert session.get("/").wsgi_request.user == applicant
