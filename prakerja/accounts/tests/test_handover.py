"""Handing an account over without holding it: access codes printed or texted by an officer,
entered by the applicant at /accounts/kode-akses/, and recovery started by the call centre."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import AccessCode, AccountRecovery, Role, User
from prakerja.accounts.services import (
    ACCESS_CODE_ALPHABET,
    applicant_access_code_issue,
    applicant_access_code_redeem,
    applicant_get_or_create_by_phone,
    applicant_recovery_start,
    applicant_send_sign_in_code,
)
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

ANI_PHONE = "+6281234567890"
REFUSED = (
    "Nomor HP, nomor pendaftaran, atau kode akses salah, sudah dipakai, atau sudah kedaluwarsa."
)


ACCESS_CODE_PAGE = "/accounts/kode-akses/"


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )


@pytest.fixture
def ani(officer: User) -> User:
    """An applicant an officer created at the posko; she has never signed in."""
    user, created = applicant_get_or_create_by_phone(phone="0812-3456-7890", actor=officer)
    assert created
    return user


def _signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


# --- applicant_get_or_create_by_phone --------------------------------------------------------


def test_it_creates_an_applicant_with_no_password_and_an_unverified_phone(
    ani: User, officer: User
) -> None:
    assert ani.role == Role.APPLICANT
    assert str(ani.phone) == ANI_PHONE
    assert not ani.has_usable_password()
    assert ani.phone_verified_at is None
    assert ani.history.get().history_user == officer


def test_every_typed_form_of_a_number_finds_the_same_applicant(ani: User) -> None:
    for typed in ("081234567890", "6281234567890", "+62 812-3456-7890"):
        assert applicant_get_or_create_by_phone(phone=typed) == (ani, False)


def test_it_refuses_a_landline_in_indonesian(officer: User) -> None:
    with pytest.raises(ApplicationError) as error:
        applicant_get_or_create_by_phone(phone="031-8293097", actor=officer)
    assert error.value.code == "phone.not_mobile"
    assert not User.objects.filter(role=Role.APPLICANT).exists()


def test_it_refuses_a_number_that_belongs_to_staff(officer: User) -> None:
    make_user(role=Role.MANAGER, username="fajar", phone=ANI_PHONE)
    with pytest.raises(ApplicationError) as error:
        applicant_get_or_create_by_phone(phone="081234567890", actor=officer)
    assert error.value.code == "account.phone_taken_by_staff"
    assert str(error.value.message) == (
        "Nomor HP ini dipakai oleh akun petugas. Gunakan nomor HP pendaftar sendiri."
    )


def test_a_new_applicant_has_one_history_row_saying_who_made_it(ani: User, officer: User) -> None:
    row = ani.history.get()
    assert row.history_type == "+"
    assert row.history_change_reason == "akun pendaftar dibuat oleh petugas"
    assert row.username == ani.username and str(row.phone) == ANI_PHONE
    assert ani.date_joined is not None and ani.pk is not None
    assert User.objects.get(pk=ani.pk).username == ani.username
    themselves, created = applicant_get_or_create_by_phone(phone="0813-1111-2222")
    assert created
    assert themselves.history.get().history_change_reason == "akun pendaftar dibuat"
    assert themselves.history.get().history_user is None


def test_two_first_requests_for_one_number_end_with_one_account(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race: the other request's row is committed after this one looked the number up.
    from prakerja.accounts import services

    winner, _created = applicant_get_or_create_by_phone(phone="0812-3456-7890", actor=officer)
    real, calls = services._user_by_phone, []

    def missed_once(phone: str) -> User | None:
        calls.append(phone)
        return None if len(calls) == 1 else real(phone)

    monkeypatch.setattr(services, "_user_by_phone", missed_once)
    assert applicant_get_or_create_by_phone(phone="0812-3456-7890") == (winner, False)
    assert len(calls) == 2  # missed, then read after the insert found the number taken
    assert User.objects.filter(phone=ANI_PHONE).count() == 1
    assert winner.history.count() == 1


def test_a_race_lost_to_a_staff_account_is_refused(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prakerja.accounts import services

    make_user(role=Role.MANAGER, username="fajar", phone=ANI_PHONE)
    real, calls = services._user_by_phone, []

    def missed_once(phone: str) -> User | None:
        calls.append(phone)
        return None if len(calls) == 1 else real(phone)

    monkeypatch.setattr(services, "_user_by_phone", missed_once)
    with pytest.raises(ApplicationError) as error:
        applicant_get_or_create_by_phone(phone="081234567890", actor=officer)
    assert error.value.code == "account.phone_taken_by_staff"
    assert len(calls) == 2
    assert not User.objects.filter(role=Role.APPLICANT).exists()


# --- Printed access code ---------------------------------------------------------------------


def test_a_printed_code_is_eight_unambiguous_characters_and_stored_only_hashed(
    ani: User, officer: User
) -> None:
    code = applicant_access_code_issue(actor=officer, user=ani)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert set(code.replace("-", "")) <= set(ACCESS_CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(ACCESS_CODE_ALPHABET)
    stored = AccessCode.objects.get()
    assert code.replace("-", "") not in stored.code_hash
    assert stored.issued_by == officer
    assert stored.channel == AccessCode.Channel.PRINTED
    assert stored.expires_at - stored.created_at == timedelta(hours=24)
    assert stored.history.get().history_user == officer
    # Printing sends nothing.
    assert not OutboxMessage.objects.exists()


def test_the_applicant_signs_in_with_phone_and_printed_code(
    client: Client, ani: User, officer: User, settings: Any
) -> None:
    code = applicant_access_code_issue(actor=officer, user=ani)
    page = client.get(ACCESS_CODE_PAGE)
    assert page.status_code == 200
    assert "<h1>Masuk dengan kode akses</h1>" in page.content.decode()

    response = client.post(
        ACCESS_CODE_PAGE, {"phone": "0812 3456 7890", "code": code.lower().replace("-", " ")}
    )
    assert response.status_code == 302
    assert response["Location"] == "/daftar/"
    assert _signed_in_as(client) == ani.pk
    assert AccessCode.objects.get().used_at is not None
    # A printed code proves who holds the paper, not the phone.
    ani.refresh_from_db()
    assert ani.phone_verified_at is None


def test_a_used_access_code_is_refused(ani: User, officer: User) -> None:
    code = applicant_access_code_issue(actor=officer, user=ani)
    assert applicant_access_code_redeem(phone=ANI_PHONE, code=code) == ani
    with pytest.raises(ApplicationError) as error:
        applicant_access_code_redeem(phone=ANI_PHONE, code=code)
    assert str(error.value.message).startswith(REFUSED)


def test_an_access_code_expires_after_24_hours(ani: User, officer: User) -> None:
    code = applicant_access_code_issue(actor=officer, user=ani)
    AccessCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ApplicationError):
        applicant_access_code_redeem(phone=ANI_PHONE, code=code)


def test_five_wrong_access_codes_void_the_code(ani: User, officer: User) -> None:
    code = applicant_access_code_issue(actor=officer, user=ani)
    wrong = "ACDE-FGHJ" if code != "ACDE-FGHJ" else "KMNP-QRTU"
    for _ in range(5):
        with pytest.raises(ApplicationError):
            applicant_access_code_redeem(phone=ANI_PHONE, code=wrong)
    stored = AccessCode.objects.get()
    assert stored.failed_attempts == 5
    assert stored.voided_at is not None
    with pytest.raises(ApplicationError):
        applicant_access_code_redeem(phone=ANI_PHONE, code=code)


def test_a_code_for_one_number_does_not_open_another(ani: User, officer: User) -> None:
    budi, _ = applicant_get_or_create_by_phone(phone="081398765432", actor=officer)
    code = applicant_access_code_issue(actor=officer, user=ani)
    with pytest.raises(ApplicationError):
        applicant_access_code_redeem(phone=str(budi.phone), code=code)


def test_a_reprint_voids_the_earlier_code(ani: User, officer: User) -> None:
    first = applicant_access_code_issue(actor=officer, user=ani)
    second = applicant_access_code_issue(actor=officer, user=ani)
    with pytest.raises(ApplicationError):
        applicant_access_code_redeem(phone=ANI_PHONE, code=first)
    assert applicant_access_code_redeem(phone=ANI_PHONE, code=second) == ani


def test_the_page_refuses_a_wrong_code_with_one_message_for_every_failure(
    client: Client, ani: User, officer: User, settings: Any
) -> None:
    applicant_access_code_issue(actor=officer, user=ani)
    for phone in (ANI_PHONE, "081398765432"):  # has a code / has no account at all
        response = client.post(ACCESS_CODE_PAGE, {"phone": phone, "code": "ACDE-FGHJ"})
        assert response.status_code == 200
        assert REFUSED in response.content.decode()
    assert _signed_in_as(client) is None


def test_the_page_limits_tries_per_number(
    client: Client, ani: User, officer: User, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "access_code": "3/h/key"}
    for _ in range(3):
        client.post(ACCESS_CODE_PAGE, {"phone": ANI_PHONE, "code": "XXXX-XXXX"})
    code = applicant_access_code_issue(actor=officer, user=ani)
    response = client.post(ACCESS_CODE_PAGE, {"phone": ANI_PHONE, "code": code})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert _signed_in_as(client) is None


def test_only_officers_and_agents_issue_codes(ani: User, manager: User) -> None:
    with pytest.raises(PermissionDenied):
        applicant_access_code_issue(actor=manager, user=ani)
    assert not AccessCode.objects.exists()


def test_no_access_code_for_a_staff_account(officer: User, callcentre_agent: User) -> None:
    with pytest.raises(ApplicationError) as error:
        applicant_access_code_issue(actor=officer, user=callcentre_agent)
    assert error.value.code == "account.not_applicant"


# --- Access code by SMS ----------------------------------------------------------------------


@pytest.mark.usefixtures("sms")
def test_a_code_sent_by_sms_reaches_only_the_applicants_phone_and_verifies_it(
    ani: User, officer: User
) -> None:
    assert applicant_send_sign_in_code(actor=officer, user=ani) is None
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == ANI_PHONE
    assert len(sms.body) <= 160
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", sms.body)
    assert code
    assert AccessCode.objects.get().channel == AccessCode.Channel.SMS

    assert applicant_access_code_redeem(phone="0812 3456 7890", code=code.group(0)) == ani
    ani.refresh_from_db()
    assert ani.phone_verified_at is not None


def test_the_sms_goes_only_after_the_commit(
    ani: User, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        applicant_send_sign_in_code(actor=officer, user=ani)
        assert not OutboxMessage.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert OutboxMessage.objects.filter(recipient=ANI_PHONE).exists()


@pytest.mark.usefixtures("sms")
def test_staff_can_text_one_number_at_most_five_times_an_hour(ani: User, officer: User) -> None:
    for _ in range(5):
        applicant_send_sign_in_code(actor=officer, user=ani)
    with pytest.raises(ApplicationError) as error:
        applicant_send_sign_in_code(actor=officer, user=ani)
    assert error.value.code == "account.sms_quota"
    assert error.value.status == 429
    assert OutboxMessage.objects.count() == 5


# --- Recovery --------------------------------------------------------------------------------


@pytest.mark.usefixtures("sms")
def test_recovery_texts_the_way_back_in_to_the_accounts_phone(
    ani: User, callcentre_agent: User
) -> None:
    assert applicant_recovery_start(actor=callcentre_agent, phone="0812-3456-7890") is None
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == ANI_PHONE
    assert "/accounts/login/code/" in sms.body
    # No credential in a message a third party triggered.
    assert not re.search(r"\d{6}|[A-Z0-9]{4}-[A-Z0-9]{4}", sms.body)
    record = AccountRecovery.objects.get()
    assert (record.requested_by, record.user, record.phone_hint) == (
        callcentre_agent,
        ani,
        "+62*******890",
    )


@pytest.mark.usefixtures("sms")
def test_recovery_for_a_number_without_account_looks_the_same_to_the_agent(
    callcentre_agent: User,
) -> None:
    assert applicant_recovery_start(actor=callcentre_agent, phone="081398765432") is None
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.body.startswith("Belum ada akun Prakerja Jatim dengan nomor ini.")
    assert AccountRecovery.objects.get().user is None
    assert not User.objects.filter(role=Role.APPLICANT).exists()


def test_recovery_is_for_officers_and_agents_only(ani: User, viewer: User) -> None:
    with pytest.raises(PermissionDenied):
        applicant_recovery_start(actor=viewer, phone=ANI_PHONE)
    assert not AccountRecovery.objects.exists()


def test_the_site_serves_the_access_code_page(client: Client) -> None:
    assert client.get(ACCESS_CODE_PAGE).status_code == 200
