"""Django's database session stores (``db``, and ``cached_db`` with Redis), each write one
statement.

Django's stores spend round trips that protect nothing here:

* **A lookup before each new key.** Django draws a key (32 characters of 36, 165 bits) and asks
  whether it exists (a ``SELECT``, and a Redis ``EXISTS`` with ``cached_db``). The insert's
  primary key already refuses a duplicate, and ``create`` draws again on ``CreateError``.
* **A transaction around each write.** ``save`` wraps its single ``INSERT`` or ``UPDATE`` in
  ``transaction.atomic``: ``BEGIN`` and ``COMMIT`` around it in autocommit. One statement is
  atomic on its own; a savepoint is kept only inside a caller's transaction, where a refused
  insert must not abort it.
* **Two writes at sign-in.** ``cycle_key`` (called by ``login``) inserts the new key at once
  with the old data, and the response then writes it again with the signed-in data: here the
  new key is inserted once, by the response's save. The old key is deleted at once, as in
  Django, so it stops working the moment the person signs in (no session fixation).
* **A read before a delete.** ``delete`` fetched the row, then deleted it by its key in a
  transaction: here one ``DELETE``.
* **A system call per character of a new key.** ``get_random_string`` draws each of the 32
  characters on its own; ``core.randomness.random_string`` draws them in one call.
* **A compiled query per write.** The row's ``INSERT`` or ``UPDATE`` is hand-written
  (``core.rowsql.insert_rows``, and ``update_by_key`` that, as ``save(force_update=True)``,
  fails when no row was updated), not built and compiled by the ORM on every write.

Set as ``SESSION_ENGINE = "prakerja.core.sessions.cached_db"`` (or ``….db``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Model

from prakerja.core.randomness import random_string
from prakerja.core.rowsql import insert_rows, update_by_key

_FIELDS = ("session_key", "session_data", "expire_date")


def _row_write(obj: Model, *, insert: bool, using: str) -> None:
    """``obj.save(force_insert=insert, force_update=not insert)`` of a session row, without
    signals (the session models have no receivers): an insert refused by the key raises
    ``IntegrityError``; an update that finds no row raises ``DatabaseError``, as ``save``."""
    model = type(obj)
    values = [getattr(obj, name) for name in _FIELDS]
    if insert:
        insert_rows(model, _FIELDS, [values], using=using)
    elif not update_by_key(model, _FIELDS[1:], values[1:], key=values[0], using=using):
        raise DatabaseError("Forced update did not affect any rows.")


class LeanStoreMixin:
    """Over ``django.contrib.sessions.backends.db.SessionStore``: its database writes only.
    ``cached_db`` puts its own cache reads and writes around them (``cached_db.SessionStore``
    sits above this in the method order)."""

    # A key drawn by cycle_key, inserted by the next save.
    _insert_pending = False

    def _get_new_session_key(self) -> str:
        # Uniqueness is the insert's job (``create`` → ``save(must_create=True)``).
        return random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        store: Any = self
        data = store._session
        key = store.session_key
        store._session_key = self._get_new_session_key()
        self._insert_pending = True
        store.modified = True
        store._session_cache = data
        if key:
            store.delete(key)

    def save(self, must_create: bool = False) -> None:
        store: Any = self
        if store.session_key is None:
            return store.create()  # type: ignore[no-any-return]
        if self._insert_pending:
            while True:
                try:
                    self._write(must_create=True)
                except CreateError:
                    store._session_key = self._get_new_session_key()
                    continue
                self._insert_pending = False
                break
        else:
            self._write(must_create=must_create)
        return None

    def _write(self, *, must_create: bool) -> None:
        store: Any = self
        data = store._get_session(no_load=must_create)
        obj = store.create_model_instance(data)
        using = router.db_for_write(store.model, instance=obj)
        connection = transaction.get_connection(using)
        # A savepoint only where a refused insert would otherwise abort the caller's transaction.
        guard = (
            transaction.atomic(using=using)
            if must_create and connection.in_atomic_block
            else transaction.mark_for_rollback_on_error(using=using)
        )
        try:
            with guard:
                _row_write(obj, insert=must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise

    def delete(self, session_key: str | None = None) -> None:
        store: Any = self
        if session_key is None:
            if store.session_key is None:
                return
            session_key = store.session_key
        # One statement: a queryset's delete() runs in a transaction of its own.
        using = router.db_for_write(store.model)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(store.model._meta.db_table)} "  # noqa: S608
                f"WHERE {connection.ops.quote_name('session_key')} = %s",
                [session_key],
            )
