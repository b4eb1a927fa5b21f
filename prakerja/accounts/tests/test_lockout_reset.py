"""A successful sign-in clears that account's failed attempts from its address, and only
those (axes's ``AXES_RESET_ON_SUCCESS``, one DELETE in ``LockoutHandler``)."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import (
    DEFAULT_PASSWORD,
    make_user,
    sms_code_last,
    totp_code,
    totp_secret_of,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_FACTOR = "/accounts/2fa/authenticate/"


def _sign_in(user: User, address: str, password: str = DEFAULT_PASSWORD) -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"login": user.username, "password": password})
    if password == DEFAULT_PASSWORD:
        assert response["Location"] == TWO_FACTOR
        client.post(TWO_FACTOR, {"code": totp_code(totp_secret_of(user))})
        assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def _failures(user: User) -> dict[str, int]:
    return {
        attempt.ip_address: attempt.failures_since_start
        for attempt in AccessAttempt.objects.filter(username=user.username)
    }


@pytest.mark.parametrize("expiry", [False, True], ids=["default", "attempt-expiration"])
def test_a_sign_in_clears_the_failures_of_its_account_and_address(
    settings: Any, expiry: bool
) -> None:
    settings.AXES_USE_ATTEMPT_EXPIRATION = expiry
    budi = make_user(role=Role.OFFICER, username="budi")
    other = make_user(role=Role.OFFICER, username="sari")
    for address in ("10.1.1.1", "10.1.1.1", "10.2.2.2"):
        _sign_in(budi, address, password="salah-sandi")
    _sign_in(other, "10.1.1.1", password="salah-sandi")
    assert _failures(budi) == {"10.1.1.1": 2, "10.2.2.2": 1}

    _sign_in(budi, "10.1.1.1")

    assert _failures(budi) == {"10.2.2.2": 1}
    assert _failures(other) == {"10.1.1.1": 1}


def test_an_applicants_sign_in_by_code_leaves_the_failures_under_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Wrong passwords typed on the staff page under an applicant's (generated) name only
    ever gate a sign-in by password, which an account without one cannot make: the sign-in
    by SMS code does not spend a statement on them, and they lapse with the cool-off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )
    phone = "+6281234507777"
    client = Client(REMOTE_ADDR="10.3.3.3")
    client.post("/accounts/login/code/", {"phone": phone})
    applicant = User.objects.get(phone=phone)
    Client(REMOTE_ADDR="10.3.3.3").post(LOGIN, {"login": applicant.username, "password": "x"})
    assert _failures(applicant) == {"10.3.3.3": 1}
    with CaptureQueriesContext(connection) as queries:
        client.post("/accounts/login/code/confirm/", {"code": sms_code_last(phone)})
    assert client.session.get("_auth_user_id") == str(applicant.pk)
    assert not [q for q in queries if "axes_accessattempt" in q["sql"]]
    assert _failures(applicant) == {"10.3.3.3": 1}
