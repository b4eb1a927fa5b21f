"""The session stores, each write one statement (``prakerja.core.sessions``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.core.sessions import cached_db, db
from prakerja.core.testing import calls_recorded
from prakerja.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

STORES = [db.SessionStore, cached_db.SessionStore]


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_new_session_is_one_insert_without_a_lookup(store: type) -> None:
    session = store()
    session[SESSION_KEY] = "7"
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
    taken[SESSION_KEY] = "7"
    taken["owner"] = "pertama"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(store, "_get_new_session_key", lambda self: next(keys))

    second = store()
    second[SESSION_KEY] = "8"
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
    # A session already in the database (signed in; in ``db`` any session) gets a new key.
    session = store()
    session[SESSION_KEY] = "6"
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

    session[SESSION_KEY] = "7"
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
    taken[SESSION_KEY] = "7"
    taken["owner"] = "pertama"
    taken.save()
    mine = store()
    mine[SESSION_KEY] = "8"
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
    session[SESSION_KEY] = "7"
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
    session[SESSION_KEY] = "7"
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
    # Django's stores: INSERT (new key, old data), SELECT + DELETE (old key), UPDATE. Here the
    # new key's INSERT, and the old key's DELETE unless it was in the cache alone.
    if settings.SESSION_ENGINE.endswith("cached_db"):
        assert session_writes == ["INSERT"]
    else:
        assert sorted(session_writes) == ["DELETE", "INSERT"]


# --- cached_db: a session nobody is signed in to lives in the cache alone -------------------


def test_a_pending_sign_in_is_written_to_the_cache_alone() -> None:
    session = cached_db.SessionStore()
    session["kode"] = "menunggu"
    with CaptureQueriesContext(connection) as queries:
        session.save()
        session["percobaan"] = 1
        session.save()
    assert queries.captured_queries == []
    assert not Session.objects.exists()
    again = cached_db.SessionStore(session.session_key)
    assert again["kode"] == "menunggu" and again["percobaan"] == 1


def _pending_sign_in() -> tuple[cached_db.SessionStore, str]:
    """A saved session nobody is signed in to (in the cache alone), and its key."""
    session = cached_db.SessionStore()
    session["kode"] = "menunggu"
    session.save()
    return session, session.session_key or ""


def test_a_pending_sign_in_ended_is_gone_from_the_cache_without_a_statement() -> None:
    session, key = _pending_sign_in()
    with CaptureQueriesContext(connection) as queries:
        session.flush()
    assert queries.captured_queries == []
    assert session.session_key is None and not session.items()
    assert cached_db.SessionStore(key).load() == {}


def test_signing_in_from_the_cache_moves_the_session_to_the_database() -> None:
    session, old = _pending_sign_in()
    with CaptureQueriesContext(connection) as cycled:
        session.cycle_key()
    # The old key was never in the database: it stops working, without a statement.
    assert cycled.captured_queries == []
    assert cached_db.SessionStore(old).load() == {}
    session[SESSION_KEY] = "7"
    with CaptureQueriesContext(connection) as saved:
        session.save()
    # (Inside the test's transaction the insert has its savepoint.)
    assert [s for s in _statements(saved) if s not in ("SAVEPOINT", "RELEASE")] == ["INSERT"]
    row = Session.objects.get(session_key=session.session_key)
    stored = row.get_decoded()
    assert stored[SESSION_KEY] == "7" and stored["kode"] == "menunggu"
    assert "_cache_only" not in stored
    # Signed out (flush): the database row goes too.
    session.flush()
    assert not Session.objects.exists()


def test_a_pending_sign_in_goes_to_the_database_when_the_cache_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session: Any = cached_db.SessionStore()

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr(session._cache, "add", down)
    session["kode"] = "menunggu"
    session.save()
    row = Session.objects.get(session_key=session.session_key)
    assert row.get_decoded() == {"kode": "menunggu"}


def test_a_cache_key_that_is_taken_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = cached_db.SessionStore()
    taken["owner"] = "pertama"
    taken.save()
    keys = iter([taken.session_key, "c" * 32])
    monkeypatch.setattr(cached_db.SessionStore, "_get_new_session_key", lambda self: next(keys))
    second = cached_db.SessionStore()
    second["owner"] = "kedua"
    second.save()
    assert second.session_key == "c" * 32
    assert cached_db.SessionStore(taken.session_key)["owner"] == "pertama"
    assert cached_db.SessionStore("c" * 32)["owner"] == "kedua"


def test_a_cache_only_session_goes_to_the_database_as_a_new_row_when_the_cache_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session: Any = cached_db.SessionStore()
    session["kode"] = "menunggu"
    session.save()  # in the cache alone

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis down")

    again: Any = cached_db.SessionStore(session.session_key)
    again["percobaan"] = 1
    monkeypatch.setattr(again._cache, "set", down)
    again.save()
    stored = Session.objects.get(session_key=session.session_key).get_decoded()
    assert stored == {"kode": "menunggu", "percobaan": 1}


def test_a_pending_sign_in_already_in_the_database_stays_there() -> None:
    # Written before this engine (or by its fallback): no mark, so it is not moved to the
    # cache, and its row is deleted when the key is replaced at sign-in.
    old = db.SessionStore()
    old["kode"] = "menunggu"
    old.save()
    session = cached_db.SessionStore(old.session_key)
    session["percobaan"] = 1
    with CaptureQueriesContext(connection) as saved:
        session.save()
    assert _statements(saved) == ["UPDATE"]
    assert Session.objects.get(session_key=old.session_key).get_decoded()["percobaan"] == 1
    session.cycle_key()
    assert not Session.objects.filter(session_key=old.session_key).exists()


def test_a_replaced_cache_only_key_is_not_brought_back_by_a_late_request() -> None:
    from django.contrib.sessions.backends.base import UpdateError
    from django.core.cache import caches
    from django_redis.cache import RedisCache

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("needs Redis (SET … XX): run with REDIS_URL=redis://… to include it")
    session = cached_db.SessionStore()
    session["kode"] = "menunggu"
    session.save()
    late = cached_db.SessionStore(session.session_key)
    assert late["kode"] == "menunggu"  # loaded before the sign-in
    session.cycle_key()
    session[SESSION_KEY] = "7"
    session.save()
    late["percobaan"] = 2
    with pytest.raises(UpdateError):
        late.save()
    assert cached_db.SessionStore(late.session_key).load() == {}


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_change_is_one_update_of_the_data_and_the_expiry(store: type) -> None:
    session = store()
    session[SESSION_KEY] = "7"
    session.save()
    first = Session.objects.get(session_key=session.session_key).expire_date
    session.set_expiry(3600)
    session["step"] = "identitas"
    with CaptureQueriesContext(connection) as queries:
        session.save()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["UPDATE"], statements
    row = Session.objects.get(session_key=session.session_key)
    assert row.expire_date < first  # an hour, against the two-week default
    assert db.SessionStore().decode(row.session_data)["step"] == "identitas"


@pytest.mark.parametrize("store", STORES, ids=["db", "cached_db"])
def test_a_change_to_a_session_deleted_meanwhile_is_refused(store: type) -> None:
    from django.contrib.sessions.backends.base import UpdateError

    session = store()
    session[SESSION_KEY] = "7"
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    session["step"] = "identitas"
    with pytest.raises(UpdateError), transaction.atomic():
        session.save()
    assert not Session.objects.exists()


# --- cached_db on Redis: keys read along with the session -----------------------------------


def _redis_commands(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The Redis commands sent from now on (skips without Redis)."""
    from django.core.cache import caches
    from django_redis.cache import RedisCache
    from redis.client import Redis

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("needs Redis (a Lua script): run with REDIS_URL=redis://… to include it")
    return calls_recorded(monkeypatch, Redis, "execute_command")


def test_listed_keys_are_read_with_the_session_in_one_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.cache import cache

    sent = _redis_commands(monkeypatch)
    session = cached_db.SessionStore()
    session[SESSION_KEY] = "7"
    session.save()
    session.read_along(["uji:versi", "uji:salinan", "uji:kosong"], 60)
    cache.set("uji:versi", 3)
    cache.set("uji:salinan", {"nama": "Siti"})
    sent.clear()
    later = cached_db.SessionStore(session.session_key)
    values = later.read_along_values(["uji:versi", "uji:salinan", "uji:kosong"])
    assert later[SESSION_KEY] == "7"
    # As get_many answers: the keys present, with their values; one command for all of it.
    assert values == {"uji:versi": 3, "uji:salinan": {"nama": "Siti"}}
    assert [args[0] for args in sent if args[0] != "SCRIPT LOAD"] == ["EVALSHA"]
    # Keys the session did not list are not answered (the caller asks the cache itself).
    assert later.read_along_values(["uji:versi", "uji:lain"]) is None


def test_a_session_without_a_list_or_not_in_the_cache_loads_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _redis_commands(monkeypatch)
    session = cached_db.SessionStore()
    session[SESSION_KEY] = "7"
    session.save()
    plain = cached_db.SessionStore(session.session_key)
    assert plain[SESSION_KEY] == "7"
    assert plain.read_along_values(["uji:versi"]) is None
    # Gone from Redis (evicted, restarted): read from the database, its list still answered.
    session.read_along(["uji:versi"], 60)
    from django.core.cache import cache

    cache.delete(cached_db.SessionStore.cache_key_prefix + (session.session_key or ""))
    missed = cached_db.SessionStore(session.session_key)
    assert missed[SESSION_KEY] == "7"
    assert missed.read_along_values(["uji:versi"]) == {}


def test_a_list_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.cache import caches

    _redis_commands(monkeypatch)
    session = cached_db.SessionStore()
    session[SESSION_KEY] = "7"
    session.save()
    session.read_along(["uji:versi"], 60)
    cache = caches["default"]
    listed = cache.make_key(session.cache_key) + ":with"
    ttl = cache.client.get_client().ttl(listed)  # type: ignore[attr-defined]
    assert 0 < ttl <= 60
