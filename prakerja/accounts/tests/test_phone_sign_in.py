"""Applicants: "Masuk atau daftar dengan nomor HP" → SMS code → signed in (allauth phone
login), walked through the real pages with the outbox SMS backend."""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user, sms_code_last
from prakerja.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

START = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"
SIGNUP = "/accounts/signup/"
VERIFY_PHONE = "/accounts/phone/verify/"
DASHBOARD = "/beranda/"
ANI_PHONE = "+6281234567890"


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> None:
    # SMS go out after commit, and each test runs inside one transaction that never
    # commits: deliver at once, as a commit would. (``test_sms`` checks the real ordering.)
    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )


def _signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _last_code(phone: str = ANI_PHONE) -> str:
    return sms_code_last(phone)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _request_code(client: Client, phone: str, **extra: Any) -> Any:
    return client.post(START, {"phone": phone}, **extra)


@pytest.mark.usefixtures("sms")
class TestNewApplicant:
    def test_the_page_is_indonesian_and_asks_only_for_a_phone(self, client: Client) -> None:
        response = client.get(START)
        assert response.status_code == 200
        page = response.content.decode()
        assert "<h1>Masuk atau daftar dengan nomor HP</h1>" in page
        assert 'name="phone"' in page and 'type="tel"' in page
        assert 'name="password"' not in page and 'name="email"' not in page

    def test_it_signs_up_and_signs_in_with_a_phone_and_an_sms_code(self, client: Client) -> None:
        response = _request_code(client, "0812-3456-7890")
        assert response.status_code == 302
        assert response["Location"] == CONFIRM
        user = User.objects.get(phone=ANI_PHONE)
        assert user.role == Role.APPLICANT
        assert not user.has_usable_password()
        assert user.username.startswith("hp-")
        assert user.email == ""
        assert user.phone_verified_at is None
        assert _signed_in_as(client) is None

        sms = OutboxMessage.objects.get(channel="sms")
        assert sms.recipient == ANI_PHONE
        assert sms.body.startswith("Kode masuk Prakerja Jatim: ")
        assert "Berlaku 10 menit" in sms.body
        assert len(sms.body) <= 160

        page = client.get(CONFIRM).content.decode()
        assert "Masukkan kode dari SMS" in page

        response = client.post(CONFIRM, {"code": _last_code()})
        assert response.status_code == 302
        assert response["Location"] == "/daftar/"  # an applicant lands in their registration
        assert _signed_in_as(client) == user.pk
        # Named by the number they typed (masked), not by the username made for them.
        landing = client.get("/daftar/").content.decode()
        assert "Berhasil masuk sebagai +62*******890." in landing
        assert user.username not in landing
        user.refresh_from_db()
        assert user.phone_verified_at is not None
        # The account's history says when and by whom the number was proved, and nothing else
        # is written for the sign-in itself (last_login is outside the history).
        reasons = list(
            user.history.order_by("history_id").values_list(
                "history_change_reason", "history_user_id", "phone_verified_at"
            )
        )
        assert reasons[1:] == [
            ("nomor HP terverifikasi dengan kode SMS", user.pk, user.phone_verified_at)
        ]
        # Applicants have no TOTP step and reach their pages.
        assert client.get(DASHBOARD).status_code == 200

    @pytest.mark.parametrize(
        "typed", ["0812 3456 7890", "6281234567890", "+62 812-3456-7890", "0812.3456.7890"]
    )
    def test_every_typed_form_of_one_number_is_one_account(
        self, client: Client, typed: str
    ) -> None:
        _request_code(client, "081234567890")
        first = User.objects.get()
        client.post(CONFIRM, {"code": _last_code()})
        client.post("/accounts/logout/")

        other = Client()
        response = _request_code(other, typed)
        assert response["Location"] == CONFIRM
        assert User.objects.count() == 1
        other.post(CONFIRM, {"code": _last_code()})
        assert _signed_in_as(other) == first.pk

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            (
                "031-8293097",
                "Nomor ini bukan nomor HP, misalnya nomor telepon rumah atau kantor.",
            ),
            ("+1 202 555 0143", "Gunakan nomor HP Indonesia (+62), misalnya 0812 3456 7890."),
            ("0812", "Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890."),
            ("halo", "Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890."),
        ],
    )
    def test_a_number_that_cannot_take_an_sms_is_refused_in_indonesian(
        self, client: Client, typed: str, message: str
    ) -> None:
        response = _request_code(client, typed)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not User.objects.exists()
        assert not OutboxMessage.objects.exists()


@pytest.mark.usefixtures("sms")
class TestCodes:
    @pytest.fixture
    def ani(self) -> User:
        user, _ = User.objects.get_or_create(
            username="hp-ani", defaults={"role": Role.APPLICANT, "phone": ANI_PHONE}
        )
        return user

    def test_a_known_number_gets_a_code_and_no_second_account(
        self, client: Client, ani: User
    ) -> None:
        _request_code(client, "081234567890")
        assert User.objects.count() == 1
        client.post(CONFIRM, {"code": _last_code()})
        assert _signed_in_as(client) == ani.pk

    def test_a_wrong_code_is_refused_in_indonesian(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        response = client.post(CONFIRM, {"code": _wrong(_last_code())})
        assert response.status_code == 200
        assert "Kode salah." in response.content.decode()
        assert _signed_in_as(client) is None

    def test_five_wrong_codes_void_the_code(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        code = _last_code()
        statuses = [client.post(CONFIRM, {"code": _wrong(code)}).status_code for _ in range(5)]
        # Four times the form again; the fifth wrong try ends the attempt.
        assert statuses == [200, 200, 200, 200, 302]
        response = client.post(CONFIRM, {"code": code})
        assert response.status_code == 302
        assert response["Location"] == START
        assert _signed_in_as(client) is None
        page = client.get(START).content.decode()
        assert "Terlalu banyak percobaan masuk yang gagal." in page

    def test_an_expired_code_is_refused(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        code = _last_code()
        later = time.time() + 601
        with mock.patch(
            "allauth.account.internal.flows.code_verification.time.time", return_value=later
        ):
            response = client.post(CONFIRM, {"code": code})
        assert response.status_code == 302
        assert response["Location"] == START
        assert _signed_in_as(client) is None

    def test_a_code_still_works_just_before_ten_minutes(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        code = _last_code()
        with mock.patch(
            "allauth.account.internal.flows.code_verification.time.time",
            return_value=time.time() + 590,
        ):
            client.post(CONFIRM, {"code": code})
        assert _signed_in_as(client) == ani.pk

    def test_a_used_code_cannot_be_used_again(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        code = _last_code()
        client.post(CONFIRM, {"code": code})
        assert _signed_in_as(client) == ani.pk
        client.post("/accounts/logout/")

        response = client.post(CONFIRM, {"code": code})
        assert response.status_code == 302
        assert response["Location"] == START
        assert _signed_in_as(client) is None

    def test_a_code_from_another_browser_does_not_sign_in(self, client: Client, ani: User) -> None:
        _request_code(client, ANI_PHONE)
        thief = Client()
        _request_code(thief, ANI_PHONE)
        # The thief types the code sent for the first request: each code is bound to the
        # browser that asked for it.
        first_code = OutboxMessage.objects.filter(channel="sms").last()
        assert first_code is not None
        code = re.search(r"\d{6}", first_code.body)
        assert code
        if code.group(0) != _last_code():
            thief.post(CONFIRM, {"code": code.group(0)})
            assert _signed_in_as(thief) is None


@pytest.mark.usefixtures("sms")
class TestRateLimits:
    def test_one_number_gets_at_most_three_codes_in_ten_minutes(self, client: Client) -> None:
        for _ in range(3):
            assert _request_code(Client(), "081234567890")["Location"] == CONFIRM
        response = _request_code(client, "0812 3456 7890")
        assert response.status_code == 200
        assert (
            "Terlalu banyak permintaan kode. Tunggu beberapa menit, lalu coba lagi."
            in response.content.decode()
        )
        assert OutboxMessage.objects.filter(channel="sms").count() == 3

    def test_one_address_gets_at_most_sixty_code_requests_a_minute(self, client: Client) -> None:
        for n in range(60):
            response = _request_code(Client(), f"0812{n:08d}")
            assert response.status_code == 302, n
        response = _request_code(client, "081399999999")
        assert response.status_code == 200
        assert "Terlalu banyak permintaan kode." in response.content.decode()
        # Another address is not affected.
        elsewhere = Client(REMOTE_ADDR="10.1.2.3")
        assert _request_code(elsewhere, "081399999999").status_code == 302


@pytest.mark.usefixtures("sms")
class TestStaffAndPhones:
    def test_a_staff_number_gets_no_code_and_no_applicant_account(self, client: Client) -> None:
        officer = make_user(role=Role.OFFICER, username="ani", phone=ANI_PHONE)
        response = _request_code(client, "081234567890")
        # The same answer as for any number, so the page does not reveal staff numbers...
        assert response["Location"] == CONFIRM
        # ...but no code that would skip the password, and no second account.
        assert User.objects.filter(phone=ANI_PHONE).get() == officer
        assert not OutboxMessage.objects.filter(body__contains="Kode masuk").exists()

    def test_the_staff_sign_in_page_still_asks_for_username_and_password(
        self, client: Client
    ) -> None:
        page = client.get("/accounts/login/").content.decode()
        assert "Nama pengguna" in page
        assert 'name="password"' in page


@pytest.mark.usefixtures("sms")
class TestSignupPage:
    def test_allauths_sign_up_asks_for_a_phone_and_verifies_it_by_sms(self, client: Client) -> None:
        page = client.get(SIGNUP).content.decode()
        assert "Daftar dengan nomor HP" in page
        assert 'name="password1"' not in page and 'name="username"' not in page

        response = client.post(SIGNUP, {"phone": "0812 3456 7890"})
        assert response.status_code == 302
        assert response["Location"] == VERIFY_PHONE
        user = User.objects.get(phone=ANI_PHONE)
        assert user.role == Role.APPLICANT

        response = client.post(VERIFY_PHONE, {"code": _last_code()})
        assert response.status_code == 302
        assert _signed_in_as(client) == user.pk
        user.refresh_from_db()
        assert user.phone_verified_at is not None

    def test_signing_up_again_with_a_known_number_texts_the_owner_instead(
        self, client: Client
    ) -> None:
        owner = User.objects.create(username="hp-owner", role=Role.APPLICANT, phone=ANI_PHONE)
        response = client.post(SIGNUP, {"phone": "081234567890"})
        assert response.status_code == 302
        assert User.objects.get(phone=ANI_PHONE) == owner
        sms = OutboxMessage.objects.get(channel="sms")
        assert sms.body.startswith("Nomor ini sudah terdaftar di Prakerja Jatim.")


@pytest.mark.usefixtures("sms")
def test_the_staff_page_points_applicants_to_the_phone_page(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert f'href="{START}"' in page
    assert "Masuk atau daftar dengan nomor HP" in page


@pytest.mark.usefixtures("sms")
def test_an_applicant_may_add_an_email_later_verified_by_link(
    client: Client, settings: Any
) -> None:
    from allauth.account.models import EmailAddress

    settings.EMAIL_BACKEND = "prakerja.notifications.backends.OutboxEmailBackend"
    _request_code(client, ANI_PHONE)
    client.post(CONFIRM, {"code": _last_code()})
    ani = User.objects.get(phone=ANI_PHONE)

    response = client.post("/accounts/email/", {"action_add": "", "email": "ani@example.com"})
    assert response.status_code == 302
    address = EmailAddress.objects.get(user=ani)
    assert (address.email, address.verified) == ("ani@example.com", False)
    mail = OutboxMessage.objects.get(channel="email", recipient="ani@example.com")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.body)
    assert link, mail.body

    client.post(link.group(1))
    address.refresh_from_db()
    assert address.verified
    # Still an applicant who signs in by phone; the email changes nothing about that.
    assert _signed_in_as(client) == ani.pk


@pytest.mark.usefixtures("sms")
def test_send_again_counts_against_the_same_sms_cap_per_number(client: Client) -> None:
    for _ in range(2):
        first = Client()
        _request_code(first, ANI_PHONE)
        first.post(CONFIRM, {"action": "resend"})
        first.post(CONFIRM, {"action": "resend"})
    # Two requests with two resends each would be six SMS; the cap is five per 10 minutes.
    assert OutboxMessage.objects.filter(channel="sms", recipient=ANI_PHONE).count() == 5


@pytest.mark.usefixtures("sms")
def test_a_sign_in_by_code_asks_nothing_of_email_addresses(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _request_code(client, ANI_PHONE)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(CONFIRM, {"code": _last_code()})

    assert response.status_code == 302
    assert _signed_in_as(client) == User.objects.get(phone=ANI_PHONE).pk
    # Optional verification acts only at sign-up (prakerja.accounts.stages).
    assert not [q for q in queries if "account_emailaddress" in q["sql"]]


@pytest.mark.parametrize(
    ("method", "signup", "checked"),
    [("optional", False, False), ("optional", True, True), ("mandatory", False, True)],
)
def test_the_email_step_checks_addresses_only_where_allauth_acts_on_them(
    method: str, signup: bool, checked: bool
) -> None:
    from allauth.account.app_settings import EmailVerificationMethod
    from allauth.account.models import EmailAddress, Login
    from django.test import RequestFactory

    from prakerja.accounts.stages import SignInEmailVerificationStage

    ani = make_user(role=Role.APPLICANT)
    EmailAddress.objects.create(user=ani, email="ani@example.com", verified=True)
    login = Login(user=ani, email_verification=EmailVerificationMethod(method), signup=signup)
    stage = SignInEmailVerificationStage(None, RequestFactory().get("/"), login)
    with mock.patch(
        "allauth.account.utils.has_verified_email", return_value=True
    ) as has_verified_email:
        assert stage.handle() == (None, True)

    assert has_verified_email.called is checked
