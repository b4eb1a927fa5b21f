"""Bearer-token auth for the API: ``Authorization: Bearer pkj_…``.

Keys are created by ``accounts.tokens.api_token_create`` and stored only as their SHA-256, so the
table holds nothing that authenticates. Endpoints take ``auth=API_AUTH``: a token or the
browser session (``SessionAuth``, django-ninja's ``django_auth`` with the API's error shape).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from prakerja.accounts.errors import AccountsError
from prakerja.accounts.models import User
from prakerja.accounts.tokens import api_token_authenticate
from prakerja.core.errors import PermissionDenied


class ApiTokenAuth(HttpBearer):
    openapi_description = "Token API Prakerja (Authorization: Bearer pkj_…)"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(key=token)
        if user is not None:
            # Scope helpers and the history middleware read request.user.
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """django-ninja's ``django_auth``, with two differences: an anonymous request is a plain
    401 (not a CSRF failure because it happens to carry some cookie), and a failed CSRF check
    answers in the API's one error shape ``{code, message, field}``."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise PermissionDenied(
                AccountsError.AUTH_CSRF_FAILED,
                _("Sesi tidak dapat diverifikasi (CSRF). Muat ulang halaman lalu coba lagi."),
            ) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


API_AUTH: list[Any] = [ApiTokenAuth(), SessionAuth()]
