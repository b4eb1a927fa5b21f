"""Factories and sign-in helpers for tests of every app (no pytest import, so plain code can
use them too).

``make_user(role=Role.OFFICER)`` gives a ready officer: bound to a fresh post, password set,
TOTP activated, so ``client.force_login(user)`` opens staff pages without tripping the
two-factor middleware. ``sign_in_with_totp(client, user)`` walks the real allauth flow.
"""

from __future__ import annotations

import itertools
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.test import Client

from prakerja.accounts.models import ADMIN_ROLES, STAFF_ROLES, Role, User
from prakerja.accounts.totp import totp_code, totp_code_lasting
from prakerja.assistance.models import Post
from prakerja.regions.models import Regency
from prakerja.training.models import Provider

__all__ = [
    "DEFAULT_PASSWORD",
    "activate_totp",
    "make_post",
    "make_provider",
    "make_user",
    "sign_in_with_totp",
    "totp_code",
    "totp_secret_of",
]

DEFAULT_PASSWORD = "Kata-sandi-uji-2026"  # noqa: S105 - test fixtures only
SURABAYA = "3578"
# A fixed, valid base32 secret so that a failing test can be replayed by hand.
DEFAULT_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

_sequence = itertools.count(1)


def make_post(
    *,
    code: str | None = None,
    name: str | None = None,
    regency_code: str = SURABAYA,
    kind: str = Post.Kind.REGENCY_OFFICE,
    **fields: Any,
) -> Post:
    n = next(_sequence)
    return Post.objects.create(
        code=code or f"posko-uji-{n}",
        name=name or f"Posko Uji {n}",
        kind=kind,
        regency=Regency.objects.get(pk=regency_code),
        **fields,
    )


def make_provider(
    *,
    name: str | None = None,
    regency_code: str = SURABAYA,
    kind: str = Provider.Kind.LPK,
    **fields: Any,
) -> Provider:
    n = next(_sequence)
    return Provider.objects.create(
        name=name or f"LPK Uji {n}",
        kind=kind,
        regency=Regency.objects.get(pk=regency_code),
        **fields,
    )


def make_user(
    *,
    role: Role = Role.APPLICANT,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    full_name: str | None = None,
    post: Post | None = None,
    regency_code: str | None = None,
    provider: Provider | None = None,
    totp: bool | None = None,
    **fields: Any,
) -> User:
    """A user of ``role`` with the binding the role needs (created if not given).

    ``totp`` defaults to True for staff: staff without TOTP are sent to set it up before any
    staff page, which is rarely what a test of that page wants. A data officer is bound to
    the whole province unless ``regency_code`` is given.
    """
    n = next(_sequence)
    if role == Role.OFFICER and post is None:
        post = make_post()
    if role == Role.PROVIDER and provider is None:
        provider = make_provider()
    user = User.objects.create_user(
        username=username or f"{role.value}-{n}",
        password=password,
        full_name=full_name or f"{role.label} {n}",
        role=role,
        post=post,
        regency=Regency.objects.get(pk=regency_code) if regency_code else None,
        provider=provider,
        is_staff=role in ADMIN_ROLES,
        is_superuser=role == Role.SUPERADMIN,
        **fields,
    )
    if totp if totp is not None else role in STAFF_ROLES:
        activate_totp(user)
    return user


def activate_totp(user: User, secret: str = DEFAULT_TOTP_SECRET) -> str:
    TOTP.activate(user, secret)
    return secret


def totp_secret_of(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def sign_in_with_totp(client: Client, user: User, *, password: str = DEFAULT_PASSWORD) -> None:
    """Sign ``user`` in through the real pages: password, then the TOTP code if they have one.

    Raises AssertionError with the page's status if a step does not go through. allauth keeps
    its rate limits and used TOTP codes in the cache, so tests that sign in need a cache that
    is cleared between tests (``clear_cache`` in ``prakerja/accounts/tests/conftest.py``).
    """
    response = client.post("/accounts/login/", {"login": user.username, "password": password})
    assert response.status_code == 302, f"sign-in refused ({response.status_code})"
    if response["Location"] == "/accounts/2fa/authenticate/":
        response = client.post(
            "/accounts/2fa/authenticate/", {"code": totp_code_lasting(totp_secret_of(user))}
        )
        assert response.status_code == 302, f"TOTP refused ({response.status_code})"


def sms_code_last(phone: str) -> str:
    """The six-digit code of the newest SMS to ``phone`` in the outbox (the sign-in by code)."""
    import re

    from prakerja.notifications.models import OutboxMessage

    message = OutboxMessage.objects.filter(channel="sms", recipient=phone).first()
    assert message is not None, "no SMS sent"
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)
