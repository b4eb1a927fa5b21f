"""The signed-in applicant's account row, kept in the shared cache between requests (issue 17).

Django's session authentication reads the account (``accounts_user``) on every signed-in
request: 15 of the 101 statements of a registration through the pages. For an applicant the
row changes a few times per registration (sign-in, a phone change), so it is kept in the
shared cache (Redis, the one every app host uses) for ``AUTH_USER_CACHE_SECONDS``, with what
Django checks on every request still checked on every request: the session's account id and
backend, ``is_active``, and the session hash (which changes with the password).

Staleness is ruled out by a version, not by timing. Each account has a version key: a fresh
random value written after every change of the row commits (``account_changed``: ``save``,
``delete``, ``core.rowsql.update_with_history`` and the sign-in stamp). A cached copy holds
the version read *before* its row was read, and is used only while the version key still holds
that value. A change that commits after the row was read writes a new version, so a copy of
the older row is not used, whatever the order in which the requests finish. Every process
with the shared cache renews versions, whatever its own setting. The one gap: Redis failing
in the moment just after a change commits (logged as ``session_users.version_not_renewed``);
a copy read during that change's transaction may then be used until it expires. A change
made by hand in SQL is not seen either until then (``account_changed(id)`` after one).

Only applicant accounts without a usable password are kept (applicants sign in by SMS code):
no password hash reaches the cache, and staff accounts are read from the database on every
request as before. Anything unexpected (no copy, a stale version, a session hash that does
not match) goes through Django's own ``get_user``, which also flushes a session that no longer
verifies. ``AUTH_USER_CACHE_SECONDS = 0`` (the default without Redis, where each process has
its own memory cache) turns this off.

With the session store of ``core.sessions.cached_db`` on Redis, the version and the copy are
read in the session's own round trip (``read_along``): one Redis command per signed-in request
instead of two, from the second request of a session on.

**Through the sign-in by code** (issue 17). allauth reads the account on each of its pages
(``Login.deserialize``: ``User.objects.filter(pk=…).first()``), which ``account_by_pk`` answers
from the same copies under the same rule. Two writes leave a copy behind instead of only a new
version, so that nothing reads the row back:

* a new applicant's account, inserted at the code request (``account_copy_offer_new``): kept
  only if its version key is still absent (any change since the insert has set one);
* the sign-in's own write (``set_phone_verified``, marked with ``account_write_keeps_copy``):
  the instance was read under version V (a copy, or a row read after V was), the UPDATE writes
  exactly the fields it changed, and in one Redis script the version is renewed to V' and the
  instance kept under V' only if the version was still V. A change that committed before the
  UPDATE renewed the version after its commit: either before the script (V is gone, nothing is
  kept) or after it (V' is gone, the copy is void).

A copy made from a new account, or carried through the sign-in from one, also knows that the
account has no second factor (``_authenticator_types``: the empty set), so the sign-in does not
ask the database (``adapters.MFAAdapter.is_mfa_enabled``); adding or removing an authenticator
renews the account's version like any change to its row.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

import django
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from prakerja.accounts.models import Role, User
from prakerja.core.throttle import lua_script, redis_client

logger = logging.getLogger("prakerja.accounts")
_PREFIX = "accounts:session-user"
# A version lives longer than the copies it tags (not needed for correctness: an absent
# version is replaced by a new random one before any row is read).
VERSION_SECONDS = 2 * 3600


@functools.cache
def _row_namespace() -> str:
    """Copies are pickled model instances: a deploy that changes the account's fields or
    Django stores and reads them under another name. Versions are not namespaced, so a change
    made by a process of either release invalidates the copies of both."""
    fields = ",".join(field.attname for field in User._meta.concrete_fields)
    return hashlib.sha256(f"{django.__version__}:{fields}".encode()).hexdigest()[:12]


def _keys(user_id: object) -> tuple[str, str]:
    return f"{_PREFIX}:v:{user_id}", f"{_PREFIX}:row:{_row_namespace()}:{user_id}"


def _seconds() -> int:
    return int(getattr(settings, "AUTH_USER_CACHE_SECONDS", 0))


def _shared_cache() -> bool:
    """Whether the cache is one every process shares (Redis): then every process renews the
    versions of the accounts it changes, whatever its own ``AUTH_USER_CACHE_SECONDS`` (a job
    worker or a shell with the setting at 0 must not leave the web processes' copies valid)."""
    return bool(getattr(settings, "REDIS_URL", "")) or _seconds() > 0


def _cacheable(user: Any) -> bool:
    return (
        isinstance(user, User)
        and user.is_active
        and user.role == Role.APPLICANT
        and not user.has_usable_password()
    )


def session_user_get(request: HttpRequest) -> User | AnonymousUser:
    """``django.contrib.auth.get_user(request)``, served from the cache when it may be."""
    seconds = _seconds()
    session: Any = request.session
    user_id = session.get(auth.SESSION_KEY)
    if not seconds or user_id is None:
        return auth.get_user(request)  # type: ignore[return-value]
    version_key, row_key = _keys(user_id)
    # Read with the session itself, in its round trip, where the session store can
    # (core.sessions.cached_db with Redis), once this session has listed the keys.
    read_along = getattr(session, "read_along_values", None)
    if settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
        read_along = None
    found = read_along([version_key, row_key]) if read_along is not None else None
    if found is None:
        found = cache.get_many([version_key, row_key])
        if read_along is not None:
            session.read_along([version_key, row_key], seconds)
    version = found.get(version_key)
    copy = _current_copy(found, user_id)
    if (
        copy is not None
        and session.get(auth.BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(
            session.get(auth.HASH_SESSION_KEY) or "", copy.get_session_auth_hash()
        )
    ):
        return copy
    return _read_and_keep(user_id, version, lambda: auth.get_user(request))  # type: ignore[return-value]


def _current_copy(found: dict[str, Any], user_id: object) -> User | None:
    """The copy among ``found`` (the version and copy keys' values, as ``get_many`` answers)
    if it is tagged with the current version and is of an active ``user_id``; else None."""
    version_key, row_key = _keys(user_id)
    version = found.get(version_key)
    copy = found.get(row_key)
    if (
        version is not None
        and isinstance(copy, tuple)
        and len(copy) == 2
        and copy[0] == version
        and isinstance(copy[1], User)
        and str(copy[1].pk) == str(user_id)
        and copy[1].is_active
    ):
        return copy[1]
    return None


def _read_and_keep(user_id: object, version: Any, load: Callable[[], Any]) -> Any:
    """``load()`` (the row read from the database), kept as a copy when it may be."""
    version_key, row_key = _keys(user_id)
    if version is None:
        # No version (never changed, expired or evicted): one is made now, before the row is
        # read, so that a change committing after the read renews it and voids this copy.
        fresh = uuid.uuid4().hex
        made = cache.add(version_key, fresh, VERSION_SECONDS)
        version = fresh if made else cache.get(version_key)
    user = load()
    if version is not None and _cacheable(user) and str(user.pk) == str(user_id):
        # Pickled now, before a view can attach related rows or change a field.
        cache.set(row_key, (version, _copy(user)), _seconds())
        user._account_version_read = version
    return user


def account_by_pk(user_id: object, load: Callable[[], User | None]) -> User | None:
    """The account ``user_id`` as ``load()`` reads it, from a current copy when there is one
    (allauth's ``Login.deserialize`` on each page of the sign-in by code). The instance
    remembers the version it was read under, for ``account_write_keeps_copy``."""
    if not _seconds():
        return load()
    version_key, row_key = _keys(user_id)
    found = cache.get_many([version_key, row_key])
    version = found.get(version_key)
    copy = _current_copy(found, user_id)
    if copy is not None and _cacheable(copy):
        copy._account_version_read = version  # type: ignore[attr-defined]
        return copy
    return _read_and_keep(user_id, version, load)  # type: ignore[no-any-return]


def _copy(user: User) -> User:
    """A fresh instance with the row's values only (not what a caller attached: history
    attributes, flags), and what is known of its authenticators."""
    fields = User._meta.concrete_fields
    names = [field.attname for field in fields]
    copy = User.from_db(user._state.db, names, [getattr(user, name) for name in names])
    kinds = user.__dict__.get("_authenticator_types")
    if kinds is not None:
        copy._authenticator_types = frozenset(kinds)  # type: ignore[attr-defined]
    return copy


# The version renewed; the copy kept under the new one only if the version was still the one
# the writer read (ARGV[1]; empty: absent, for an account just inserted).
_KEEP_SCRIPT = """
local current = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
if (ARGV[1] == '' and not current) or current == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[5])
  return 1
end
return 0
"""


def _renew_keeping(user: User, expected: Any) -> bool:
    """The version renewed and ``user`` kept as the copy if the version was ``expected``
    (None: absent); False when it was not (the version is renewed all the same)."""
    version_key, row_key = _keys(user.pk)
    fresh = uuid.uuid4().hex
    copy = (fresh, _copy(user))
    redis = redis_client(cache)
    if redis is None:
        # The local memory cache of the demo and the SQLite tests: one process, same steps.
        current = cache.get(version_key)
        cache.set(version_key, fresh, VERSION_SECONDS)
        if current != expected:
            return False
        cache.set(row_key, copy, _seconds())
    else:
        client: Any = cache.client  # type: ignore[attr-defined]
        kept = lua_script(redis, _KEEP_SCRIPT)(
            keys=[cache.make_key(version_key), cache.make_key(row_key)],
            args=[
                b"" if expected is None else client.encode(expected),
                client.encode(fresh),
                client.encode(copy),
                VERSION_SECONDS,
                _seconds(),
            ],
        )
        if not kept:
            return False
    user._account_version_read = fresh  # type: ignore[attr-defined]
    return True


def account_copy_offer_new(user: User) -> None:
    """After a new applicant's account is inserted (and committed): kept as the copy that the
    sign-in's pages read, known to have no second factor, unless anything has set its version
    since. Failing Redis is logged: the pages read the row instead."""
    if not _seconds() or not _cacheable(user) or transaction.get_connection().in_atomic_block:
        return
    user._authenticator_types = frozenset()  # type: ignore[attr-defined]
    try:
        _renew_keeping(user, None)
    except Exception:
        logger.exception("session_users.copy_not_kept", extra={"account": user.pk})


def account_write_keeps_copy(user: User) -> None:
    """Marks the next write of ``user`` through ``core.rowsql.update_with_history`` as one
    that keeps the written instance as the copy (instead of only renewing the version): call
    it only when ``user`` holds the row as read (``account_by_pk``) plus exactly the fields
    that write changes."""
    user._account_keep_on_write = True  # type: ignore[attr-defined]


def _version_renew(user_id: object) -> None:
    version_key, _row_key = _keys(user_id)
    cache.set(version_key, uuid.uuid4().hex, VERSION_SECONDS)


def _version_renew_committed(user_id: object) -> None:
    try:
        _version_renew(user_id)
    except Exception:
        # The change is committed and the request must not fail for it; a copy read during
        # the writer's transaction may be used until it expires (AUTH_USER_CACHE_SECONDS).
        logger.exception("session_users.version_not_renewed", extra={"account": user_id})


def account_changed(user_id: object) -> None:
    """Call after any write to an account's row that does not go through ``save``/``delete``
    (those are caught by signals). The version is renewed at once (a copy stored from now on
    is tagged with it) and again when the writer's transaction commits (a copy of the row as
    it was before the commit is no longer used). If Redis fails at once, the write fails; if
    it fails just after the commit, that is logged, and a copy read in between may be used
    until it expires."""
    if user_id is None or not _shared_cache():
        return
    _version_renew(user_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _version_renew_committed(user_id))


def _account_written(sender: Any, instance: User, **kwargs: Any) -> None:
    keep = instance.__dict__.pop("_account_keep_on_write", False)
    read = instance.__dict__.pop("_account_version_read", None)
    if (
        keep
        and read is not None
        and _seconds()
        and _cacheable(instance)
        and not transaction.get_connection().in_atomic_block  # committed with its statement
    ):
        _renew_keeping(instance, read)  # if Redis fails, the write fails, as account_changed's
        return
    account_changed(instance.pk)


def _authenticator_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A copy knows the account's authenticators (``_authenticator_types``): any change voids it.
    account_changed(instance.user_id)


def receivers_connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from prakerja.core.rowsql import row_updated

    post_save.connect(_account_written, sender=User, dispatch_uid="session_users.saved")
    post_delete.connect(_account_written, sender=User, dispatch_uid="session_users.deleted")
    from allauth.mfa.models import Authenticator

    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(
            _authenticator_written,
            sender=Authenticator,
            dispatch_uid=f"session_users.authenticator_{name}",
        )
    row_updated.connect(_account_written, sender=User, dispatch_uid="session_users.updated")
