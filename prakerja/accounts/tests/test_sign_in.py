from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.test import Client

from prakerja.accounts.adapters import MFAAdapter
from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import (
    DEFAULT_PASSWORD,
    activate_totp,
    make_user,
    sign_in_with_totp,
    totp_code,
    totp_secret_of,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
DASHBOARD = "/beranda/"
# A staff page (a manager's); the outbox used here is superadmin-only since issue 11.
STAFF_PAGE = "/laporan/harian/"


def _signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _wrong_code(secret: str) -> str:
    right = totp_code(secret)
    return "000000" if right != "000000" else "111111"


# --- The pages ------------------------------------------------------------------------------


def test_the_login_page_is_indonesian_and_inside_the_site_layout(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "base.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert '<html lang="id">' in page
    assert "<title>Masuk · Prakerja Jatim</title>" in page
    assert "<h1>Masuk</h1>" in page
    assert "Nama pengguna" in page
    assert "Langsung ke isi" in page  # the site's own skip link, from base.html
    # Sign-up is closed: staff accounts come from a superadmin.
    assert "/accounts/signup/" not in page


def test_the_accounts_app_overrides_allauths_templates_in_the_real_settings(
    client: Client,
) -> None:
    response = client.get(LOGIN)
    assert "base.html" in [template.name for template in response.templates]


def test_the_two_factor_page_is_indonesian_and_inside_the_site_layout(client: Client) -> None:
    officer = make_user(role=Role.OFFICER, username="ani")
    client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    assert "base.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert "Autentikasi Dua Faktor" in page
    assert officer.username not in page


# --- Password, then TOTP ------------------------------------------------------------------


def test_staff_sign_in_with_password_then_a_totp_code(client: Client) -> None:
    officer = make_user(role=Role.OFFICER, username="ani", totp=False)
    secret = activate_totp(officer, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    response = client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    # The password alone does not sign anyone in.
    assert _signed_in_as(client) is None

    response = client.post(TWO_FACTOR, {"code": totp_code(secret)}, follow=True)
    assert response.redirect_chain[-1] == (DASHBOARD, 302)
    assert response.status_code == 200
    assert _signed_in_as(client) == officer.pk
    assert client.get("/petugas/").status_code == 200


def test_a_wrong_totp_code_does_not_sign_in(client: Client) -> None:
    officer = make_user(role=Role.OFFICER, username="ani")
    client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    response = client.post(TWO_FACTOR, {"code": _wrong_code(totp_secret_of(officer))})
    assert response.status_code == 200
    assert "Kode salah." in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_totp_code_cannot_be_used_twice(client: Client) -> None:
    officer = make_user(role=Role.OFFICER, username="ani")
    sign_in_with_totp(client, officer)
    client.post("/accounts/logout/")
    client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    response = client.post(TWO_FACTOR, {"code": totp_code(totp_secret_of(officer))})
    assert response.status_code == 200
    assert _signed_in_as(client) is None


def test_a_wrong_password_is_refused_in_indonesian(client: Client) -> None:
    make_user(role=Role.MANAGER, username="fajar")
    response = client.post(LOGIN, {"login": "fajar", "password": "salah-sekali"})
    assert response.status_code == 200
    assert "Nama pengguna dan/atau kata sandi yang anda masukkan tidak benar." in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_signs_in(client: Client, role: Role) -> None:
    user = make_user(role=role)
    sign_in_with_totp(client, user)
    assert _signed_in_as(client) == user.pk
    assert client.get(DASHBOARD).status_code == 200


def test_an_applicant_signs_in_without_totp(client: Client) -> None:
    make_user(role=Role.APPLICANT, username="pendaftar")
    response = client.post(LOGIN, {"login": "pendaftar", "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/daftar/"  # an applicant lands in their registration


# --- Staff without TOTP -----------------------------------------------------------------


def test_staff_without_totp_are_sent_to_set_it_up_before_any_staff_page(client: Client) -> None:
    manager = make_user(role=Role.MANAGER, username="fajar", totp=False)
    response = client.post(LOGIN, {"login": "fajar", "password": DEFAULT_PASSWORD})
    assert response["Location"] == DASHBOARD
    assert _signed_in_as(client) == manager.pk

    for page in (DASHBOARD, STAFF_PAGE):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == TOTP_ACTIVATE


def test_staff_who_set_up_totp_reach_staff_pages(client: Client) -> None:
    manager = make_user(role=Role.MANAGER, username="fajar", totp=False)
    client.post(LOGIN, {"login": "fajar", "password": DEFAULT_PASSWORD})
    # allauth asks for the password again before enrolling an authenticator, so that a
    # stolen session cookie alone cannot attach the thief's phone to the account.
    response = client.get(TOTP_ACTIVATE)
    assert (
        response["Location"]
        == f"/accounts/reauthenticate/?next={TOTP_ACTIVATE.replace('/', '%2F')}"
    )
    response = client.post(
        response["Location"], {"password": DEFAULT_PASSWORD, "next": TOTP_ACTIVATE}
    )
    assert response["Location"] == TOTP_ACTIVATE
    assert client.get(TOTP_ACTIVATE).status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists()
    assert client.get(STAFF_PAGE).status_code == 200


def test_applicants_are_not_asked_for_totp(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    assert client.get(DASHBOARD).status_code == 200


# --- Outsiders --------------------------------------------------------------------------


def test_an_applicant_is_refused_a_staff_page(client: Client, applicant: User) -> None:
    sign_in_with_totp(client, applicant)
    assert client.get(STAFF_PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_from_a_staff_page(client: Client) -> None:
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_deactivated_officer_cannot_sign_in(client: Client) -> None:
    make_user(role=Role.OFFICER, username="ani", is_active=False)
    response = client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    assert _signed_in_as(client) is None
    assert response.status_code in (200, 302)
    assert TWO_FACTOR not in response.get("Location", "")


# --- Lockout ----------------------------------------------------------------------------


def _fail(client: Client, username: str, times: int, **extra: Any) -> list[int]:
    return [
        client.post(LOGIN, {"login": username, "password": "salah"}, **extra).status_code
        for _ in range(times)
    ]


def test_five_wrong_passwords_lock_the_sixth_attempt_even_with_the_right_one(
    client: Client,
) -> None:
    make_user(role=Role.OFFICER, username="ani")
    # The first four show the form again; the fifth failure already answers with the lock.
    assert _fail(client, "ani", 5) == [200, 200, 200, 200, 429]

    response = client.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    templates = [template.name for template in response.templates]
    assert templates[templates.index("accounts/locked_out.html") + 1] == "base.html"
    page = response.content.decode()
    assert "Terlalu banyak percobaan masuk" in page
    assert "setelah 5 kali gagal masuk" in page
    assert "Silakan coba lagi dalam 15 menit." in page
    assert _signed_in_as(client) is None


def test_the_lockout_is_per_username_and_address(client: Client, settings: Any) -> None:
    # allauth's own limiter (default "10/m/ip,5/300s/key") would also refuse "ani" from any
    # address for five minutes; the settings should keep only its per-address part so that
    # axes' username+address lockout is the one rule (see the accounts report).
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
    make_user(role=Role.OFFICER, username="ani")
    budi = make_user(role=Role.OFFICER, username="budi")
    _fail(client, "ani", 5)
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("ani", "127.0.0.1")
    ]
    # Budi at the same posko (same address) is not locked out by Ani's typos...
    sign_in_with_totp(client, budi)
    assert _signed_in_as(client) == budi.pk
    # ...and Ani from another address is not either.
    other = Client(REMOTE_ADDR="10.0.0.2")
    response = other.post(LOGIN, {"login": "ani", "password": DEFAULT_PASSWORD})
    assert response["Location"] == TWO_FACTOR


def test_changing_the_case_of_the_username_does_not_dodge_the_lockout(client: Client) -> None:
    make_user(role=Role.OFFICER, username="ani")
    for login in ("ani", "Ani", "ANI", "aNi"):
        _fail(client, login, 1)
    assert _fail(client, "anI", 1) == [429]


def test_a_successful_sign_in_clears_earlier_failures(client: Client) -> None:
    ani = make_user(role=Role.OFFICER, username="ani")
    _fail(client, "ani", 4)
    sign_in_with_totp(client, ani)
    client.post("/accounts/logout/")
    assert _fail(client, "ani", 4) == [200, 200, 200, 200]


# --- TOTP secrets at rest -----------------------------------------------------------------


def test_the_mfa_adapter_encrypts_totp_secrets_and_reads_old_plain_ones() -> None:
    adapter = MFAAdapter()
    stored = adapter.encrypt("JBSWY3DPEHPK3PXP")
    assert stored.startswith("fernet:")
    assert "JBSWY3DPEHPK3PXP" not in stored
    assert adapter.decrypt(stored) == "JBSWY3DPEHPK3PXP"
    assert adapter.decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"


def test_sign_in_works_with_encrypted_totp_secrets(client: Client, settings: Any) -> None:
    settings.MFA_ADAPTER = "prakerja.accounts.adapters.MFAAdapter"
    officer = make_user(role=Role.OFFICER, username="ani")
    authenticator = Authenticator.objects.get(user=officer)
    assert authenticator.data["secret"].startswith("fernet:")
    sign_in_with_totp(client, officer)
    assert _signed_in_as(client) == officer.pk
