"""Signing in stamps ``last_login`` with one UPDATE and no history row (the column is left out
of the account's history, so the row would repeat the one before it)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from prakerja.accounts.apps import last_login_stamp
from prakerja.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_signing_in_stamps_last_login_without_a_history_row() -> None:
    user = User.objects.create(username="pendaftar-ll", role=Role.APPLICANT, phone=None)
    rows = user.history.count()
    assert user.last_login is None

    Client().force_login(user)

    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == rows


def test_the_stamp_changes_only_that_user() -> None:
    one = User.objects.create(username="pendaftar-a", role=Role.APPLICANT, phone=None)
    two = User.objects.create(username="pendaftar-b", role=Role.APPLICANT, phone=None)
    last_login_stamp(User, user=one, request=RequestFactory().get("/"))
    assert User.objects.get(pk=one.pk).last_login == one.last_login
    assert User.objects.get(pk=two.pk).last_login is None


def test_a_first_sign_in_by_code_stamps_last_login_with_the_phones_verification(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The code that proves the number signs the applicant in: one UPDATE of the account
    writes both (with the verification's history row), not one for each."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prakerja.notifications.models import OutboxMessage

    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )
    client = Client()
    assert client.post("/accounts/login/code/", {"phone": "081234500011"}).status_code == 302
    user = User.objects.get(phone="+6281234500011")
    assert user.last_login is None and user.phone_verified_at is None
    message = OutboxMessage.objects.get(channel="sms", recipient="+6281234500011")
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    client.get("/accounts/login/code/confirm/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(('UPDATE "accounts_user"', 'WITH w AS (UPDATE "accounts_user"'))
    ]
    assert len(updates) == 1, updates
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.last_login == user.phone_verified_at
    # A later sign-in (the number already proved) stamps last_login on its own.
    first = user.last_login
    client.logout()
    client.post("/accounts/login/code/", {"phone": "081234500011"})
    message = OutboxMessage.objects.filter(channel="sms", recipient="+6281234500011").first()
    assert message is not None
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    client.get("/accounts/login/code/confirm/")
    assert client.post("/accounts/login/code/confirm/", {"code": code.group(1)}).status_code == 302
    user.refresh_from_db()
    assert user.last_login > first
    assert user.phone_verified_at == first


def test_an_inactive_applicants_code_stamps_no_last_login(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from prakerja.notifications.models import OutboxMessage

    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )
    user = User.objects.create(
        username="hp-inactive01", role=Role.APPLICANT, phone="+6281234500031", is_active=False
    )
    user.set_unusable_password()
    user.save()
    client = Client()
    client.post("/accounts/login/code/", {"phone": "081234500031"})
    message = OutboxMessage.objects.filter(channel="sms", recipient="+6281234500031").first()
    assert message is not None  # the code is texted; the sign-in is refused after it
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    client.get("/accounts/login/code/confirm/")
    client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert client.session.get("_auth_user_id") is None
    user.refresh_from_db()
    assert user.last_login is None
