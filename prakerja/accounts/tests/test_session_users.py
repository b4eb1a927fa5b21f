"""The signed-in applicant's account comes from the shared cache between requests, and a
change to the account is seen on the very next request (``accounts.session_users``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import auth
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts import session_users
from prakerja.accounts.apps import last_login_stamp
from prakerja.accounts.models import Role, User
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.accounts.session_users import account_changed
from prakerja.accounts.testing import make_user
from prakerja.core.rowsql import update_with_history
from prakerja.core.testing import calls_recorded

pytestmark = pytest.mark.django_db

PAGE = "/daftar/"


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 900


def _applicant(phone: str = "+6281234500001") -> User:
    user, _created = applicant_get_or_create_by_phone(phone=phone)
    return user


def _account_reads(client: Client, path: str = PAGE) -> tuple[int, Any]:
    """How many statements of one request read ``accounts_user``, and who it was for."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    reads = sum(1 for q in queries if "accounts_user" in q["sql"] and "SELECT" in q["sql"])
    return reads, response.wsgi_request.user


def test_an_applicant_is_read_from_the_database_once_then_from_the_cache(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    reads, user = _account_reads(client)
    assert (reads, user) == (1, applicant)
    for _ in range(3):
        reads, user = _account_reads(client)
        assert (reads, user) == (0, applicant)
        assert user.is_authenticated
        assert user.phone == applicant.phone


def test_a_change_saved_to_the_account_is_seen_on_the_next_request(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    applicant.full_name = "Siti Aminah"
    applicant.save(update_fields=["full_name"])
    reads, user = _account_reads(client)
    assert (reads, user.full_name) == (1, "Siti Aminah")
    assert _account_reads(client)[0] == 0


def test_a_change_written_without_save_is_seen_on_the_next_request(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    # The sign-in's own writes: the phone proved (one UPDATE with its history row, no
    # post_save) and the sign-in time (a queryset update).
    stamped = User.objects.get(pk=applicant.pk)
    stamped.phone_verified_at = stamped.date_joined
    update_with_history(stamped, ["phone_verified_at"])
    reads, user = _account_reads(client)
    assert (reads, user.phone_verified_at) == (1, stamped.date_joined)
    last_login_stamp(sender=User, user=stamped)
    reads, user = _account_reads(client)
    assert (reads, user.last_login) == (1, stamped.last_login)


def test_a_deactivated_or_deleted_account_is_signed_out_at_once(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    applicant.is_active = False
    applicant.save()
    _reads, user = _account_reads(client)
    assert not user.is_authenticated

    other = _applicant("+6281234500002")
    client.force_login(other)
    _account_reads(client)
    assert _account_reads(client)[0] == 0
    User.objects.filter(pk=other.pk).delete()
    _reads, user = _account_reads(client)
    assert not user.is_authenticated


def test_a_copy_read_before_a_change_committed_is_never_used(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: a request reads the row, another request's change commits, then the first
    keeps its (older) copy. The copy carries the version read before the row, so it is not
    used."""
    applicant = _applicant()
    client.force_login(applicant)
    real_get_user = auth.get_user

    def read_then_changed_elsewhere(request: Any) -> Any:
        user = real_get_user(request)
        User.objects.filter(pk=applicant.pk).update(full_name="Nama Baru")
        account_changed(applicant.pk)
        return user

    monkeypatch.setattr(auth, "get_user", read_then_changed_elsewhere)
    _reads, user = _account_reads(client)
    assert user.full_name != "Nama Baru"  # this request read the row before the change
    monkeypatch.setattr(auth, "get_user", real_get_user)
    reads, user = _account_reads(client)
    assert (reads, user.full_name) == (1, "Nama Baru")


def test_a_copy_read_while_a_change_was_uncommitted_is_not_used_once_it_commits(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Another request, on its own connection, reads the row as committed (the old one)
    while the change is still in its transaction, and stores it with the version of that
    moment. The version renewed at the commit voids it."""
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    before = User.objects.get(pk=applicant.pk)
    version_key, row_key = session_users._keys(applicant.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        applicant.full_name = "Nama Baru"
        applicant.save(update_fields=["full_name"])
        cache.set(row_key, (cache.get(version_key), before), 900)
    assert callbacks
    reads, user = _account_reads(client)
    assert (reads, user.full_name) == (1, "Nama Baru")


def test_a_lost_version_voids_every_copy(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    assert _account_reads(client)[0] == 0
    version_key, _row_key = session_users._keys(applicant.pk)
    cache.delete(version_key)  # expired, or evicted by Redis
    assert _account_reads(client)[0] == 1
    assert _account_reads(client)[0] == 0


def test_a_process_with_the_cache_off_still_renews_versions(settings: Any) -> None:
    """A job worker or a shell with ``AUTH_USER_CACHE_SECONDS=0`` beside web processes that
    keep copies: its changes must void them too."""
    applicant = _applicant()
    version_key, _row_key = session_users._keys(applicant.pk)
    settings.AUTH_USER_CACHE_SECONDS = 0
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # the cache is shared
    before = cache.get(version_key)
    applicant.full_name = "Nama Baru"
    applicant.save(update_fields=["full_name"])
    assert cache.get(version_key) not in (None, before)


def test_a_session_that_no_longer_verifies_is_refused(client: Client) -> None:
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)
    session = client.session
    session[auth.HASH_SESSION_KEY] = "0" * 64
    session.save()
    _reads, user = _account_reads(client)
    assert not user.is_authenticated
    assert auth.SESSION_KEY not in client.session  # flushed, as Django does


def test_staff_and_password_accounts_are_read_from_the_database_every_time(
    client: Client,
) -> None:
    officer = make_user(role=Role.OFFICER)
    client.force_login(officer)
    for _ in range(2):
        reads, user = _account_reads(client, "/beranda/")
        assert (reads, user) == (1, officer)
    applicant_with_password = make_user()
    client.force_login(applicant_with_password)
    for _ in range(2):
        reads, user = _account_reads(client)
        assert (reads, user) == (1, applicant_with_password)


def test_off_without_a_shared_cache(client: Client, settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 0
    applicant = _applicant()
    client.force_login(applicant)
    for _ in range(2):
        reads, user = _account_reads(client)
        assert (reads, user) == (1, applicant)


def test_on_redis_the_account_is_read_with_the_session_in_one_command(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import caches
    from django_redis.cache import RedisCache
    from redis.client import Redis

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("needs Redis (the session store's Lua script): run with REDIS_URL=redis://…")
    applicant = _applicant()
    client.force_login(applicant)
    _account_reads(client)  # the copy is stored, and listed with the session
    sent = calls_recorded(monkeypatch, Redis, "execute_command")
    reads, user = _account_reads(client)
    assert (reads, user) == (0, applicant)
    # The account's version and copy came with the session's EVALSHA: no MGET of their own.
    account_keys = [args for args in sent if any("session-user" in str(a) for a in args[1:])]
    assert account_keys == []
    assert any(args[0] == "EVALSHA" for args in sent)
    # A change is still seen on the very next request.
    applicant.full_name = "Siti Aminah"
    applicant.save(update_fields=["full_name"])
    reads, user = _account_reads(client)
    assert (reads, user.full_name) == (1, "Siti Aminah")
    assert _account_reads(client) == (0, applicant)


def test_request_user_is_the_account_itself_not_a_lazy_proxy(client: Client) -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous = client.get("/").wsgi_request.user
    assert type(anonymous) is AnonymousUser
    applicant = _applicant()
    client.force_login(applicant)
    for expected_reads in (1, 0):  # from the database, then from the cache
        reads, user = _account_reads(client)
        assert reads == expected_reads
        assert type(user) is User
        assert user == applicant
