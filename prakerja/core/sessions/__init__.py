"""Django's database session stores (``db``, and ``cached_db`` with Redis) without the lookup
that precedes each new session key.

Django draws a new key (32 characters of 36, 165 bits) and asks the store whether it exists
before using it: a ``SELECT`` on ``django_session`` (and a Redis ``EXISTS`` with
``cached_db``) at every sign-in and every first page of a visitor. The store's ``create`` then
inserts the row with ``must_create``, and the primary key refuses a duplicate (Django retries
with a new key on ``CreateError``), so the lookup protects nothing the insert does not.
Set as ``SESSION_ENGINE = "prakerja.core.sessions.cached_db"`` (or ``….db``).
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class FreshKeyMixin:
    def _get_new_session_key(self) -> str:
        # Uniqueness is the insert's job (``create`` → ``save(must_create=True)``).
        return get_random_string(32, VALID_KEY_CHARS)
