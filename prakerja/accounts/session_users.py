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
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
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
    copy = found.get(row_key)
    if (
        version is not None
        and isinstance(copy, tuple)
        and len(copy) == 2
        and copy[0] == version
        and isinstance(copy[1], User)
        and str(copy[1].pk) == str(user_id)
        and copy[1].is_active
        and session.get(auth.BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(
            session.get(auth.HASH_SESSION_KEY) or "", copy[1].get_session_auth_hash()
        )
    ):
        return copy[1]
    if version is None:
        # No version (never changed, expired or evicted): one is made now, before the row is
        # read, so that a change committing after the read renews it and voids this copy.
        fresh = uuid.uuid4().hex
        made = cache.add(version_key, fresh, VERSION_SECONDS)
        version = fresh if made else cache.get(version_key)
    user = auth.get_user(request)
    if version is not None and _cacheable(user) and str(user.pk) == str(user_id):
        # Pickled now, before a view can attach related rows or change a field.
        cache.set(row_key, (version, user), seconds)
    return user  # type: ignore[return-value]


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
    account_changed(instance.pk)


def receivers_connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from prakerja.core.rowsql import row_updated

    post_save.connect(_account_written, sender=User, dispatch_uid="session_users.saved")
    post_delete.connect(_account_written, sender=User, dispatch_uid="session_users.deleted")
    row_updated.connect(_account_written, sender=User, dispatch_uid="session_users.updated")
