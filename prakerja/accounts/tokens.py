"""API tokens: creating a key and finding the user a key belongs to.

A key (``pkj_…``) is shown once, when created, and stored only as its SHA-256, so the table
holds nothing that authenticates. The ``ApiToken`` model, and everything that reads or writes
it, live in accounts, next to the accounts it authenticates: an ``api.py`` never pulls in the
registry's services, and accounts imports no domain app.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from prakerja.accounts.models import ApiToken, User, user_loader
from prakerja.accounts.scopes import Actor
from prakerja.core.hashing import secret_hash

API_TOKEN_PREFIX = "pkj_"  # noqa: S105 - a public prefix, not a secret
# Refresh ``last_used_at`` at most this often: one write per request would double the cost
# of every authenticated call.
_LAST_USED_GRANULARITY = timedelta(minutes=5)


@transaction.atomic
def api_token_create(*, user: User, name: str = "", actor: Actor | None = None) -> str:
    """Create a token for ``user``; returns the plaintext key, the only time it exists."""
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, key_hash=secret_hash(key), name=name[:100])
    token.save()
    return key


def api_token_authenticate(*, key: str) -> User | None:
    """The active user a key belongs to, or None. Any string is safe to pass."""
    if not key.startswith(API_TOKEN_PREFIX) or len(key) > 100 or not key.isascii():
        return None
    # Every API request runs this: one hand-written statement (the user, its token's id and
    # whether the token's last use is stale) instead of an ORM query, whose building and
    # compiling cost more CPU than the database spends answering it (bench/README.md); the
    # user is built by core.rowsql's loader (the ORM's converters, no per-query set-up).
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {user_loader().columns('u')}, t.id, "  # noqa: S608 - names from the models
            "(t.last_used_at IS NULL OR t.last_used_at < %s) "
            f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.is_active AND u.is_active",
            [now - _LAST_USED_GRANULARITY, secret_hash(key)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    *user_columns, token_id, stale = row
    user = user_loader().load([user_columns])[0]
    assert isinstance(user, User)
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user
