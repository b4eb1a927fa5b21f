from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from prakerja.accounts.models import STAFF_ROLES
from prakerja.accounts.session_users import session_user_get

# Paths a staff member without TOTP may still open: the pages that set it up, sign-out,
# the language switch and static assets.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/livez")


class StaffTwoFactorRequiredMiddleware:
    """Sends staff who have not set up TOTP to the set-up page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.STAFF_TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and getattr(user, "role", None) in STAFF_ROLES
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class SessionAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, with the signed-in account read through
    ``accounts.session_users`` (the shared cache) instead of the database on every request.

    ``request.user`` is the account itself, read here, not Django's lazy proxy: every page
    asks for it (the layout's menu, the views' scope checks), and each attribute read through
    the proxy costs a Python call (about 500 per registration through the pages). A request
    without a session cookie (a health probe, a first visit, an API token) reads nothing to
    find that it is anonymous; static files are answered before this middleware."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = session_user_get(request)
