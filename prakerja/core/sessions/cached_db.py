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
  to the database as before, so a sign-in never fails for it.

Lost with Redis: pending sign-ins, whose people ask for a new code. Signed-in sessions are in
the database as before. The engine is configured only with ``REDIS_URL`` (one cache every app
process shares; ``config/settings.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import CreateError

from prakerja.core.sessions import db

logger = logging.getLogger(__name__)

# In the data of a session that was written to the cache only.
_CACHE_ONLY = "_cache_only"


# cached_db's cache around the lean database writes: its save, load and delete call super(),
# which is db.SessionStore's (LeanStoreMixin's) in this order.
class SessionStore(cached_db.SessionStore, db.SessionStore):
    # The key being replaced by ``cycle_key`` while it deletes it.
    _cycled_from: str | None = None

    def save(self, must_create: bool = False) -> None:
        store: Any = self
        if store.session_key is None:
            store.create()
            return
        data = store._get_session(no_load=must_create)
        if SESSION_KEY not in data:
            data[_CACHE_ONLY] = True
            if self._cache_write(data, must_create=must_create or self._insert_pending):
                self._insert_pending = False
                return
        data.pop(_CACHE_ONLY, None)
        super().save(must_create)

    def _cache_write(self, data: dict[str, Any], *, must_create: bool) -> bool:
        """True once the cache holds the session; False if the cache failed (logged)."""
        store: Any = self
        age = store.get_expiry_age()
        try:
            if must_create:
                if not store._cache.add(store.cache_key, data, age):
                    raise CreateError  # the key is taken: ``create`` draws another
            else:
                store._cache.set(store.cache_key, data, age)
        except CreateError:
            raise
        except Exception:  # the database is the fallback, as for a signed-in session
            logger.warning("session not written to the cache; written to the database")
            return False
        return True

    def delete(self, session_key: str | None = None) -> None:
        store: Any = self
        key = store.session_key if session_key is None else session_key
        data = store._session_cache if hasattr(store, "_session_cache") else {}
        # This session (or the key ``cycle_key`` is replacing) was never in the database.
        if key and key in (store.session_key, self._cycled_from) and data.get(_CACHE_ONLY):
            store._cache.delete(store.cache_key_prefix + key)
        else:
            super().delete(session_key)

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
