"""The session stores without the lookup before a new key (``prakerja.core.sessions``)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prakerja.core.sessions import cached_db, db

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
