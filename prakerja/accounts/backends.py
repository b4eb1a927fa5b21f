"""The signed-in applicant read from the shared cache instead of the database, per request.

Django loads the session's user from the database on every request: at a registration surge
that is one statement in nine of a whole registration (bench/README.md, issue 17). This
backend (allauth's, which every sign-in here goes through) keeps an *applicant* in the cache
(Redis in production) for ``AUTH_USER_CACHE_SECONDS`` and drops the copy whenever the user is
saved or deleted through the ORM (``accounts.apps``): a deactivated account, a new phone, a
changed role or password (which signs the sessions out) take effect on the next request, on
every app host, because the cache is shared. Staff are always read from the database: their
rows carry real password hashes, which do not belong in a cache. With the per-process cache of
the demo (no ``REDIS_URL``) the setting is 0 and nothing is kept: a change in one worker could
not reach the copies of the others.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from prakerja.accounts.models import Role, User


def _key(user_id: Any) -> str:
    return f"accounts:user:{user_id}"


class CachedApplicantBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        seconds = getattr(settings, "AUTH_USER_CACHE_SECONDS", 0)
        if not seconds:
            return super().get_user(user_id)  # type: ignore[return-value]
        key = _key(user_id)
        user = cache.get(key)
        if isinstance(user, User):
            return user
        user = super().get_user(user_id)
        if isinstance(user, User) and user.role == Role.APPLICANT:
            cache.set(key, user, seconds)
        return user  # type: ignore[return-value]


def user_cache_forget(sender: Any, instance: User, **_kwargs: Any) -> None:
    """Drop the cached copy of a user saved or deleted (a post_save/post_delete receiver): at
    once, and again when the transaction commits, so that a request reading the old row in
    between cannot keep it."""
    key = _key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
