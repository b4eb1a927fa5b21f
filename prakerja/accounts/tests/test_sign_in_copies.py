"""The sign-in by code reads a new applicant's account from the shared cache, not the database,
on every page from the code request to the first page after it, and a change to the account in
between is still seen (``accounts.session_users``: ``account_copy_offer_new``,
``account_by_pk``, ``account_write_keeps_copy``).

These tests commit (``transaction=True``): copies are kept only of rows that are committed."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts import session_users
from prakerja.accounts.adapters import MFAAdapter
from prakerja.accounts.models import User
from prakerja.accounts.session_users import account_by_pk, account_changed
from prakerja.accounts.testing import sms_code_last

pytestmark = pytest.mark.django_db(transaction=True)

START = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"
PAGE = "/daftar/"
PHONE = "+6281234509876"


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 900
    # Outside a transaction a request would use its load-shedding slot's own connection,
    # which ``CaptureQueriesContext(connection)`` does not see.
    settings.DATABASE_SLOT_CONNECTIONS = False


def _code(phone: str = PHONE) -> str:
    return sms_code_last(phone)


def _reads(client: Client, method: str, path: str, data: Any = None) -> tuple[Any, list[str]]:
    """One request, and the statements it sent that read accounts or authenticators."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data) if method == "POST" else client.get(path)
    read = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and ("accounts_user" in q["sql"] or "mfa_authenticator" in q["sql"])
    ]
    return response, read


def test_a_new_applicant_signs_in_without_their_account_being_read_back(client: Client) -> None:
    response, read = _reads(client, "POST", START, {"phone": "0812-3450-9876"})
    assert response.status_code == 302
    # A new number's account is inserted without a look-up, and nothing reads it after.
    assert read == []
    response, read = _reads(client, "GET", CONFIRM)
    assert (response.status_code, read) == (200, [])
    response, read = _reads(client, "POST", CONFIRM, {"code": _code()})
    assert (response.status_code, read) == (302, [])
    user = User.objects.get(phone=PHONE)
    assert str(client.session["_auth_user_id"]) == str(user.pk)
    assert user.phone_verified_at is not None and user.last_login == user.phone_verified_at
    response, read = _reads(client, "GET", PAGE)
    assert (response.status_code, read) == (200, [])
    assert response.wsgi_request.user.pk == user.pk
    assert response.wsgi_request.user.phone_verified_at == user.phone_verified_at


def test_an_account_deactivated_after_the_code_request_cannot_sign_in(client: Client) -> None:
    client.post(START, {"phone": PHONE})
    user = User.objects.get(phone=PHONE)
    user.is_active = False
    user.save(update_fields=["is_active"])  # renews the version: the copy is void
    response, read = _reads(client, "POST", CONFIRM, {"code": _code()})
    assert len(read) == 1  # the row, not the copy of the active account
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_change_committed_before_the_sign_in_write_is_not_lost_from_the_copy(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request changes the account after this sign-in read its copy and before it
    writes: the sign-in's write keeps nothing, and the next page reads the row."""
    client.post(START, {"phone": PHONE})
    user_id = User.objects.get(phone=PHONE).pk
    real = session_users.account_by_pk

    def read_then_changed_elsewhere(pk: object, load: Any) -> Any:
        found = real(pk, load)
        User.objects.filter(pk=user_id).update(full_name="Nama Dari Petugas")
        account_changed(user_id)
        return found

    monkeypatch.setattr(session_users, "account_by_pk", read_then_changed_elsewhere)
    response = client.post(CONFIRM, {"code": _code()})
    assert response.status_code == 302
    monkeypatch.setattr(session_users, "account_by_pk", real)
    response, read = _reads(client, "GET", PAGE)
    assert len(read) == 1
    assert response.wsgi_request.user.full_name == "Nama Dari Petugas"
    assert response.wsgi_request.user.phone_verified_at is not None
    response, read = _reads(client, "GET", PAGE)
    assert read == []


def test_a_new_account_whose_version_was_set_is_not_kept(client: Client) -> None:
    """Anything that set the version between the insert and the offer (a change, which
    renews it) leaves no copy: the confirm page reads the row."""
    real = session_users._renew_keeping

    def changed_first(user: User, expected: Any) -> bool:
        account_changed(user.pk)
        return real(user, expected)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_users, "_renew_keeping", changed_first)
        client.post(START, {"phone": PHONE})
    response, read = _reads(client, "GET", CONFIRM)
    assert response.status_code == 200
    assert len(read) == 1 and "accounts_user" in read[0]


def test_an_authenticator_added_voids_the_copy_that_says_none() -> None:
    client = Client()
    client.post(START, {"phone": PHONE})
    user = User.objects.get(phone=PHONE)
    copy = account_by_pk(user.pk, lambda: None)
    assert copy is not None and MFAAdapter().is_mfa_enabled(copy) is False
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    fresh = account_by_pk(user.pk, lambda: User.objects.get(pk=user.pk))
    assert fresh is not None and "_authenticator_types" not in fresh.__dict__
    assert MFAAdapter().is_mfa_enabled(fresh) is True
    assert MFAAdapter().is_mfa_enabled(fresh, [Authenticator.Type.TOTP]) is True
    assert MFAAdapter().is_mfa_enabled(fresh, [Authenticator.Type.RECOVERY_CODES]) is False


def test_without_the_cache_every_page_reads_the_row(client: Client, settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 0
    client.post(START, {"phone": PHONE})
    response, read = _reads(client, "GET", CONFIRM)
    assert response.status_code == 200 and len(read) == 1
    assert cache.get(session_users._keys(User.objects.get(phone=PHONE).pk)[1]) is None
