"""Bearer-token auth for the API: ``Authorization: Bearer pkj_…``.

Keys are created by ``services.api_token_create`` and stored only as their SHA-256, so the
table holds nothing that authenticates. Endpoints take ``auth=API_AUTH``: a token or the
browser session (django-ninja's ``django_auth``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from prakerja.accounts.models import User
from prakerja.registry.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    openapi_description = "Token API Prakerja (Authorization: Bearer pkj_…)"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(key=token)
        if user is not None:
            # Scope helpers and the history middleware read request.user.
            request.user = user
        return user


API_AUTH: list[Any] = [ApiTokenAuth(), django_auth]
