from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from prakerja.identity import crypto

_FERNET_PREFIX = "fernet:"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff accounts are created by a superadmin; applicants sign up by phone (registry).
        return False

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        # allauth hands the sign-in name to the backends as "username"; axes reads it from
        # AXES_USERNAME_FORM_FIELD ("login"). Without this copy axes stored every failure
        # with no username and its username+address lockout never matched anyone.
        # Lower-cased because sign-in names match case-insensitively: "Ani", "ANI" and "ani"
        # must count against one lockout, not three.
        field = settings.AXES_USERNAME_FORM_FIELD
        if field not in credentials:
            login = credentials.get("username") or credentials.get("email") or ""
            credentials[field] = login.strip().lower()
        return super().authenticate(request, **credentials)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Axes is the lockout of record (AXES_FAILURE_LIMIT, cool-off, admin reset). allauth's
        # own failed-login limiter would otherwise answer first, with a different message and
        # without ever asking axes, so a locked-out user never saw the lockout page.
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)


class MFAAdapter(DefaultMFAAdapter):
    """Keeps TOTP secrets encrypted at rest with the personal-data Fernet keys.

    allauth stores the secret as given by ``encrypt``; the default stores it in clear text,
    which would let anyone with a database dump mint staff codes. Values written before this
    adapter was configured have no prefix and are read as they are.
    """

    def encrypt(self, text: str) -> str:
        return _FERNET_PREFIX + crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if encrypted_text.startswith(_FERNET_PREFIX):
            return crypto.decrypt(encrypted_text.removeprefix(_FERNET_PREFIX))
        return encrypted_text
