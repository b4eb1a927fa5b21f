from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_post, sign_in_with_totp, totp_secret_of
from prakerja.accounts.totp import totp_code
from prakerja.assistance.demo import (
    DEMO_PASSWORD,
    DEMO_PROVIDER_NAME,
    demo_accounts_ensure,
    demo_totp_secret,
)
from prakerja.assistance.models import Post
from prakerja.core.errors import ApplicationError
from prakerja.training.models import Provider

pytestmark = pytest.mark.django_db

EXPECTED = {
    "pendaftar": Role.APPLICANT,
    "petugas": Role.OFFICER,
    "callcenter": Role.CALLCENTRE,
    "datajatim": Role.DATA_OFFICER,
    "datasby": Role.DATA_OFFICER,
    "manajer": Role.MANAGER,
    "manajer2": Role.MANAGER,
    "lpk": Role.PROVIDER,
    "pemantau": Role.VIEWER,
    "bendahara": Role.TREASURY,
    "bendahara2": Role.TREASURY,
    "admin": Role.SUPERADMIN,
}


@pytest.fixture
def disnaker_surabaya(db: None) -> Post:
    return make_post(code="disnaker-3578", name="Kantor Disnaker Kota Surabaya")


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _codes_around(secret: str, run: Any) -> tuple[Any, set[str]]:
    """Run ``run()`` and return its result with the codes valid before and after it, so a
    30-second boundary in between does not make the test flaky."""
    before = time.time()
    result = run()
    return result, {totp_code(secret, at=before), totp_code(secret, at=time.time())}


def test_it_creates_one_account_per_role_with_the_right_bindings(
    disnaker_surabaya: Post,
) -> None:
    accounts = demo_accounts_ensure()
    assert {account.username: account.role for account in accounts} == EXPECTED
    assert all(account.created for account in accounts)
    users = {user.username: user for user in User.objects.filter(username__in=EXPECTED)}
    assert users["petugas"].post == disnaker_surabaya
    assert users["datajatim"].regency is None
    assert users["datasby"].regency_id == "3578"
    provider = users["lpk"].provider
    assert provider is not None
    assert (provider.name, provider.kind, provider.regency_id) == (
        DEMO_PROVIDER_NAME,
        "lpk",
        "3578",
    )
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())


def test_every_staff_account_has_totp_from_a_secret_derived_from_its_username(
    disnaker_surabaya: Post,
) -> None:
    for account in demo_accounts_ensure():
        user = User.objects.get(username=account.username)
        if account.role == Role.APPLICANT:
            assert account.totp_secret is None
            assert not Authenticator.objects.filter(user=user).exists()
        else:
            assert account.totp_secret == demo_totp_secret(account.username)
            assert totp_secret_of(user) == account.totp_secret


def test_the_demo_secrets_are_stable_and_differ_per_account() -> None:
    assert demo_totp_secret("petugas") == demo_totp_secret("petugas")
    assert demo_totp_secret("petugas") != demo_totp_secret("manajer")
    assert len(demo_totp_secret("petugas")) == 32


def test_a_second_run_creates_nothing(disnaker_surabaya: Post) -> None:
    demo_accounts_ensure()
    counts = (User.objects.count(), Authenticator.objects.count(), Provider.objects.count())
    accounts = demo_accounts_ensure()
    assert not any(account.created for account in accounts)
    assert (User.objects.count(), Authenticator.objects.count(), Provider.objects.count()) == counts


def test_it_refuses_to_run_without_the_surabaya_post() -> None:
    with pytest.raises(ApplicationError) as caught:
        demo_accounts_ensure()
    assert caught.value.code == "demo.post_missing"
    assert "disnaker-3578" in str(caught.value.message)
    assert not User.objects.exists()


def test_it_refuses_outside_the_demo_environment(disnaker_surabaya: Post, settings: Any) -> None:
    settings.PRAKERJA_ENV = "production"
    with pytest.raises(ApplicationError) as caught:
        demo_accounts_ensure()
    assert str(caught.value.message) == "Akun demo hanya tersedia bila PRAKERJA_ENV=demo."
    assert not User.objects.exists()


def test_a_demo_username_taken_by_another_role_is_a_clear_error(disnaker_surabaya: Post) -> None:
    User.objects.create_user("manajer", password=DEMO_PASSWORD)
    with pytest.raises(ApplicationError) as caught:
        demo_accounts_ensure()
    assert caught.value.code == "demo.account_conflict"


@pytest.mark.parametrize("username", list(EXPECTED))
def test_every_demo_account_signs_in_with_the_printed_code(
    client: Client, disnaker_surabaya: Post, username: str
) -> None:
    demo_accounts_ensure()
    user = User.objects.get(username=username)
    sign_in_with_totp(client, user, password=DEMO_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Commands ---------------------------------------------------------------------------


def test_demo_accounts_print_shows_a_table_with_current_codes(disnaker_surabaya: Post) -> None:
    demo_accounts_ensure()
    secret = demo_totp_secret("petugas")
    output, codes = _codes_around(secret, lambda: _run("demo_accounts_print"))
    lines = output.splitlines()
    assert lines[0].split() == [
        "PERAN",
        "NAMA",
        "PENGGUNA",
        "KATA",
        "SANDI",
        "RAHASIA",
        "TOTP",
        "KODE",
    ]
    rows = {line.split()[-4]: line for line in lines[1:11]}
    petugas = rows["petugas"]
    assert petugas.startswith("Petugas pendamping posko")
    assert DEMO_PASSWORD in petugas
    assert secret in petugas
    assert petugas.split()[-1] in codes
    assert rows["pendaftar"].split()[-2:] == ["-", "-"]


def test_demo_accounts_print_prints_nothing_when_there_are_no_demo_accounts() -> None:
    assert _run("demo_accounts_print") == ""


def test_demo_commands_refuse_outside_the_demo_environment(settings: Any) -> None:
    settings.PRAKERJA_ENV = "production"
    with pytest.raises(CommandError, match="PRAKERJA_ENV=demo"):
        _run("demo_accounts_print")
    with pytest.raises(CommandError, match="PRAKERJA_ENV=demo"):
        _run("demo_totp", "petugas")


def test_demo_totp_prints_the_current_code(disnaker_surabaya: Post) -> None:
    demo_accounts_ensure()
    output, codes = _codes_around(demo_totp_secret("petugas"), lambda: _run("demo_totp", "petugas"))
    assert output.strip() in codes


def test_demo_totp_refuses_other_accounts_and_the_applicant(disnaker_surabaya: Post) -> None:
    demo_accounts_ensure()
    with pytest.raises(CommandError, match="bukan akun demo"):
        _run("demo_totp", "budi")
    with pytest.raises(CommandError, match="tidak memakai TOTP"):
        _run("demo_totp", "pendaftar")


def test_demo_totp_says_when_the_account_is_not_created_yet() -> None:
    with pytest.raises(CommandError, match="belum dibuat"):
        _run("demo_totp", "petugas")
