"""Wrong second-factor codes lock the account, not the address (issue 11, item 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import (
    DEFAULT_PASSWORD,
    make_user,
    sign_in_with_totp,
    totp_code,
    totp_secret_of,
)
from prakerja.accounts.totp import totp_code_lasting

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/2fa/authenticate/"


def _signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def _wrong_code(user: User) -> str:
    right = totp_code(totp_secret_of(user))
    return "000000" if right != "000000" else "111111"


def _at_second_factor(user: User, address: str = "10.1.1.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"login": user.username, "password": DEFAULT_PASSWORD})
    assert response["Location"] == TWO_FACTOR
    return client


def _wrong_codes(client: Client, user: User, times: int) -> list[int]:
    return [client.post(TWO_FACTOR, {"code": _wrong_code(user)}).status_code for _ in range(times)]


@pytest.fixture
def ani() -> User:
    return make_user(role=Role.OFFICER, username="ani")


def test_five_wrong_codes_lock_the_account_even_with_the_right_code_after(ani: User) -> None:
    client = _at_second_factor(ani)
    # The fifth wrong code already answers with the lockout page.
    assert _wrong_codes(client, ani, 5) == [200, 200, 200, 200, 429]

    response = client.post(TWO_FACTOR, {"code": totp_code_lasting(totp_secret_of(ani))})

    assert response.status_code == 429
    page = response.content.decode()
    assert (
        "Akun <strong>ani</strong> dikunci sementara setelah 5 kali kode verifikasi salah"
    ) in page
    assert "Kode yang benar pun ditolak selama akun dikunci." in page
    assert _signed_in_as(client) is None


def test_the_lock_holds_from_another_address_too(ani: User) -> None:
    _wrong_codes(_at_second_factor(ani), ani, 5)

    elsewhere = _at_second_factor(ani, address="10.9.9.9")
    response = elsewhere.post(TWO_FACTOR, {"code": totp_code_lasting(totp_secret_of(ani))})

    assert response.status_code == 429
    assert _signed_in_as(elsewhere) is None


def test_a_colleague_at_the_same_address_still_signs_in(ani: User) -> None:
    budi = make_user(role=Role.OFFICER, username="budi", post=ani.post)
    # More wrong codes than allauth's per-address limit (10 a minute) ever allowed.
    _wrong_codes(_at_second_factor(ani), ani, 5)
    _wrong_codes(_at_second_factor(ani), ani, 6)

    colleague = Client(REMOTE_ADDR="10.1.1.1")
    sign_in_with_totp(colleague, budi)

    assert _signed_in_as(colleague) == budi.pk


def test_the_lock_lifts_after_the_cool_off(ani: User, settings: Any) -> None:
    _wrong_codes(_at_second_factor(ani), ani, 5)
    # The cool-off (AXES_COOLOFF_TIME, 15 minutes) has passed since the last wrong code.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    client = Client(REMOTE_ADDR="10.1.1.1")
    sign_in_with_totp(client, ani)

    assert _signed_in_as(client) == ani.pk


def test_an_admin_reset_lifts_the_lock(ani: User) -> None:
    _wrong_codes(_at_second_factor(ani), ani, 5)

    call_command("axes_reset_username", "2fa:ani")

    client = Client(REMOTE_ADDR="10.1.1.1")
    sign_in_with_totp(client, ani)
    assert _signed_in_as(client) == ani.pk


def test_a_right_code_clears_earlier_wrong_codes(ani: User) -> None:
    client = _at_second_factor(ani)
    assert _wrong_codes(client, ani, 4) == [200] * 4
    client.post(TWO_FACTOR, {"code": totp_code_lasting(totp_secret_of(ani))})
    assert _signed_in_as(client) == ani.pk
    client.post("/accounts/logout/")

    again = _at_second_factor(ani)
    assert _wrong_codes(again, ani, 4) == [200] * 4


def test_the_codes_typed_are_not_kept_in_the_attempt_rows(ani: User) -> None:
    wrong = _wrong_code(ani)
    client = _at_second_factor(ani)
    client.post(TWO_FACTOR, {"code": wrong})

    attempt = AccessAttempt.objects.get(username="2fa:ani")
    assert wrong not in attempt.post_data


REAUTHENTICATE = "/accounts/2fa/reauthenticate/"


def test_five_wrong_codes_on_the_reauthenticate_page_lock_the_account_too(ani: User) -> None:
    client = Client(REMOTE_ADDR="10.1.1.1")
    sign_in_with_totp(client, ani)
    assert client.get(REAUTHENTICATE).status_code == 200

    statuses = [
        client.post(REAUTHENTICATE, {"code": _wrong_code(ani)}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    response = client.post(REAUTHENTICATE, {"code": totp_code_lasting(totp_secret_of(ani))})
    assert response.status_code == 429
    assert "Kode yang benar pun ditolak selama akun dikunci." in response.content.decode()
    # The same lock holds at the sign-in step from anywhere.
    elsewhere = _at_second_factor(ani, address="10.9.9.9")
    response = elsewhere.post(TWO_FACTOR, {"code": totp_code_lasting(totp_secret_of(ani))})
    assert response.status_code == 429
