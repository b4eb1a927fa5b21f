"""``cached_db`` over the lean database writes, with a session nobody is signed in to kept in
the cache (Redis) only.

Before sign-in a session holds a pending sign-in: the phone number asked for, allauth's code
state and its wrong tries. It lives for the minutes between "send me a code" and the code,
and at a surge most of the people asking for a code are exactly that. Writing it to
PostgreSQL cost an ``INSERT`` per code request and a ``DELETE`` when the key is replaced at
sign-in (no session fixation), for data that is worth nothing once the code expires. So:

* a session with no signed-in account is written to the cache alone (``cache.add`` for a new
  key, so a key is never shared), and marked so (``_CACHE_ONLY``);
* once an account is signed in (``_auth_user_id``), the session is written to the database as
  before, the mark dropped; ``cycle_key`` at sign-in deletes the old, cache-only key from the
  cache alone;
* if the cache does not take the write (Redis down: the error is logged), the session goes
  to the database as a new row, so a sign-in never fails for it; a session that is in the
  database (written so before, or by this fallback) stays there until sign-in;
* a cache-only session is rewritten only while its key is in Redis (``SET … XX``): a request
  that loaded it before the sign-in replaced it cannot bring the old key back (it gets
  Django's ``UpdateError``, as a deleted database row gives).

Only the synchronous methods are changed (the app is served over WSGI); the ``a…`` ones are
Django's.

Lost with Redis: pending sign-ins, whose people ask for a new code. Signed-in sessions are in
the database as before. The engine is configured only with ``REDIS_URL`` (one cache every app
process shares; ``config/settings.py``).

**Keys read along with the session** (issue 17). A signed-in request reads the session and then
what the session points to (the account's cached copy and its version,
``accounts.session_users``): two round trips to Redis on every page. ``read_along(keys,
seconds)`` lists cache keys under the session's own key (``<session cache key>:with``, a plain
list of Redis keys, kept ``seconds``); from the next request on, ``load`` reads the session,
the list and the listed keys in one Lua script, and ``read_along_values(keys)`` answers from
what it read. The script names keys it was not given (the listed ones), which a single Redis
allows and Redis Cluster does not. A list is never deleted with its session (its keys are
random; it expires), and what it answers is what ``cache.get_many`` would have answered at the
start of the request.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django_redis.cache import RedisCache

from prakerja.core.sessions import db
from prakerja.core.throttle import lua_script, redis_client

logger = logging.getLogger(__name__)


class _CacheDown(Exception):
    """The cache failed a session write."""


# In the data of a session that was written to the cache only.
_CACHE_ONLY = "_cache_only"
# The list of keys read along with the session, under the session's cache key.
_WITH = ":with"
# The session, its list, and the listed keys: one round trip. A missing key is ``false``
# (``None`` in Python).
_LOAD_SCRIPT = """
local found = redis.call('MGET', KEYS[1], KEYS[2])
if not found[2] then return {found[1]} end
local listed = {}
for key in string.gmatch(found[2], '[^\\n]+') do listed[#listed + 1] = key end
return {found[1], found[2], redis.call('MGET', unpack(listed))}
"""


# cached_db's cache around the lean database writes: its save, load and delete call super(),
# which is db.SessionStore's (LeanStoreMixin's) in this order.
class SessionStore(cached_db.SessionStore, db.SessionStore):
    # The key being replaced by ``cycle_key`` while it deletes it.
    _cycled_from: str | None = None
    # What ``load`` read along with the session: Redis key → value (None: not there).
    _read_along: dict[str, Any] | None = None

    def load(self) -> dict[str, Any]:
        store: Any = self
        redis = redis_client(store._cache)
        if redis is None or store.session_key is None:
            return super().load()  # type: ignore[no-any-return]
        cache_key = store._cache.make_key(store.cache_key)
        try:
            found = lua_script(redis, _LOAD_SCRIPT)(keys=[cache_key, cache_key + _WITH])
        except Exception:
            # As Django's load: the cache failing is a miss (the database has the session).
            return super().load()  # type: ignore[no-any-return]
        if len(found) == 3:
            listed = found[1].decode().split("\n")
            decode = store._cache.client.decode
            self._read_along = {
                key: None if value is None else decode(value)
                for key, value in zip(listed, found[2], strict=True)
            }
        if found[0] is None:
            return super().load()  # type: ignore[no-any-return]  # not in the cache
        return store._cache.client.decode(found[0])  # type: ignore[no-any-return]

    def read_along_values(self, keys: list[str]) -> dict[str, Any] | None:
        """The values of ``keys`` (cache keys, as ``get_many`` answers: present ones only) as
        ``load`` read them with the session, or None when they were not all listed."""
        store: Any = self
        store._get_session()
        listed = self._read_along
        if listed is None:
            return None
        made = {key: store._cache.make_key(key) for key in keys}
        if not all(redis_key in listed for redis_key in made.values()):
            return None
        return {key: listed[made[key]] for key in keys if listed[made[key]] is not None}

    def read_along(self, keys: list[str], seconds: int) -> None:
        """From the next request of this session on, read ``keys`` (cache keys) with the
        session in its own round trip, for ``seconds``. Nothing without Redis."""
        store: Any = self
        redis = redis_client(store._cache)
        if redis is None or store.session_key is None or seconds <= 0:
            return
        listed = "\n".join(str(store._cache.make_key(key)) for key in keys)
        redis.set(store._cache.make_key(store.cache_key) + _WITH, listed, ex=seconds)

    def save(self, must_create: bool = False) -> None:
        store: Any = self
        if store.session_key is None:
            store.create()
            return
        data = store._get_session(no_load=must_create)
        # Redis alone only for a session that is not in the database: a new one, one whose
        # key ``cycle_key`` just drew, or one written to Redis alone before. (One written to
        # the database before this engine, or by the fallback below, stays there.)
        new_key = must_create or self._insert_pending
        if SESSION_KEY not in data and (new_key or data.get(_CACHE_ONLY)):
            data[_CACHE_ONLY] = True
            try:
                self._cache_write(data, new_key=new_key, must_create=must_create)
            except _CacheDown:
                # Redis refused the write: the database takes it, as a new row.
                self._insert_pending = not must_create
            else:
                self._insert_pending = False
                return
        data.pop(_CACHE_ONLY, None)
        super().save(must_create)

    def _cache_write(self, data: dict[str, Any], *, new_key: bool, must_create: bool) -> None:
        store: Any = self
        age = store.get_expiry_age()
        try:
            if new_key:
                while not store._cache.add(store.cache_key, data, age):
                    if must_create:
                        raise CreateError  # the key is taken: ``create`` draws another
                    store._session_key = store._get_new_session_key()  # as cycle_key does
                return
            if isinstance(store._cache, RedisCache):
                # Only while the key is there: a request that loaded it before the sign-in
                # replaced it must not bring the old key back.
                stored = store._cache.set(store.cache_key, data, age, xx=True)
            else:
                store._cache.set(store.cache_key, data, age)
                stored = True
        except CreateError:
            raise
        except Exception:  # the database is the fallback, as for a signed-in session
            logger.warning("session not written to the cache; written to the database")
            raise _CacheDown from None
        if not stored:
            raise UpdateError  # ended meanwhile (signed in, expired), as Django's stores do

    def delete(self, session_key: str | None = None) -> None:
        store: Any = self
        key = store.session_key if session_key is None else session_key
        data = store._session_cache if hasattr(store, "_session_cache") else {}
        # This session (or the key ``cycle_key`` is replacing) was never in the database.
        if key and key in (store.session_key, self._cycled_from) and data.get(_CACHE_ONLY):
            store._cache.delete(store.cache_key_prefix + key)
        else:
            super().delete(session_key)

    def flush(self) -> None:
        store: Any = self
        # As Django's, but deleted before it is cleared: ``delete`` reads the mark of a session
        # in the cache alone (a pending sign-in abandoned) from its data, which ``clear`` empties.
        self.delete(store.session_key)
        store.clear()
        store._session_key = None

    def cycle_key(self) -> None:
        store: Any = self
        # Loaded first, so that the old key's mark says how ``LeanStoreMixin.cycle_key``
        # deletes it once the new key is drawn.
        store._get_session()
        self._cycled_from = store.session_key
        try:
            super().cycle_key()
        finally:
            self._cycled_from = None
