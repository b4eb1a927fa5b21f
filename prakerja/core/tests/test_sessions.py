"""The session stores, each write one statement (``prakerja.core.sessions``)."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.core.sessions import cached_db, db
from prakerja.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

STORES = [db.SessionStore, cached_db.SessionStore]


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_new_session_is_one_insert_without_a_lookup(store: type) -> None:
    session = store()
    session["step"] = "kode"
    with CaptureQueriesContext(connection) as queries:
        session.save()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert "SELECT" not in statements, statements
    assert statements.count("INSERT") == 1
    assert store(session.session_key)["step"] == "kode"


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_key_that_is_taken_is_never_reused(store: type, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = store()
    taken["owner"] = "pertama"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(store, "_get_new_session_key", lambda self: next(keys))

    second = store()
    second["owner"] = "kedua"
    second.save()

    assert second.session_key == "k" * 32
    assert store(taken.session_key)["owner"] == "pertama"
    assert Session.objects.count() == 2


def test_the_configured_engine_is_one_of_these() -> None:
    from django.conf import settings

    assert settings.SESSION_ENGINE in (
        "prakerja.core.sessions.cached_db",
        "prakerja.core.sessions.db",
    )


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries.captured_queries]


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_new_key_at_sign_in_is_written_once_with_the_final_data(store: type) -> None:
    session = store()
    session["kode"] = "menunggu"
    session.save()
    old = session.session_key

    with CaptureQueriesContext(connection) as cycled:
        session.cycle_key()
    # The old key stops working at once (no session fixation); nothing inserted yet.
    assert _statements(cycled) == ["DELETE"]
    assert not Session.objects.filter(session_key=old).exists()
    assert store(old).load() == {}
    assert session.session_key != old

    session["_auth_user_id"] = "7"
    with CaptureQueriesContext(connection) as saved:
        session.save()
    assert _statements(saved).count("INSERT") == 1
    assert "UPDATE" not in _statements(saved) and "SELECT" not in _statements(saved)
    again = store(session.session_key)
    assert again["kode"] == "menunggu" and again["_auth_user_id"] == "7"

    # Later saves update the row.
    session["langkah"] = "identitas"
    with CaptureQueriesContext(connection) as updated:
        session.save()
    assert _statements(updated) == ["UPDATE"]
    assert store(session.session_key)["langkah"] == "identitas"


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_taken_key_drawn_at_sign_in_is_drawn_again(
    store: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = store()
    taken["owner"] = "pertama"
    taken.save()
    mine = store()
    mine["owner"] = "kedua"
    mine.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(store, "_get_new_session_key", lambda self: next(keys))

    mine.cycle_key()
    mine.save()

    assert mine.session_key == "k" * 32
    assert store(taken.session_key)["owner"] == "pertama"
    assert store("k" * 32)["owner"] == "kedua"


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_delete_is_one_statement(store: type) -> None:
    session = store()
    session["x"] = 1
    session.save()
    with CaptureQueriesContext(connection) as queries:
        session.delete()
    assert _statements(queries) == ["DELETE"]
    assert not Session.objects.filter(session_key=session.session_key).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_outside_a_transaction_a_write_opens_none(
    store: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In autocommit one statement is its own transaction: no BEGIN and COMMIT around it."""
    opened: list[bool] = []
    original = connection.set_autocommit

    def spy(autocommit: bool, force_begin_transaction_with_broken_autocommit: bool = False) -> None:
        opened.append(autocommit)
        original(autocommit, force_begin_transaction_with_broken_autocommit)

    monkeypatch.setattr(connections["default"], "set_autocommit", spy)
    session = store()
    session["a"] = 1
    session.save()
    session["a"] = 2
    session.save()
    session.cycle_key()
    session.save()
    assert opened == []
    assert store(session.session_key)["a"] == 2


def test_signing_in_by_sms_code_ends_the_old_session(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "prakerja.notifications.services.transaction.on_commit",
        lambda func, using=None, robust=False: func(),
    )
    phone = "+6281234500077"
    assert client.post("/accounts/login/code/", {"phone": phone}).status_code == 302
    before = client.cookies["sessionid"].value
    message = OutboxMessage.objects.filter(recipient=phone).first()
    assert message is not None
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert int(client.session["_auth_user_id"]) == User.objects.get(phone=phone).pk
    session_writes = [
        q["sql"].split()[0].upper()
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    # Django's stores: INSERT (new key, old data), SELECT + DELETE (old key), UPDATE.
    assert sorted(session_writes) == ["DELETE", "INSERT"]
