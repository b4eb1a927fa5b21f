"""Lockout of staff accounts (django-axes is the lockout of record).

Two kinds of failure, two keys:

* a wrong password counts per sign-in name *and address*: anyone can type a name, so a lock
  by name alone would let a stranger lock any officer out;
* a wrong second-factor (TOTP or recovery) code counts per *account*, from any address: only
  someone who already has the password gets that far, and officers at a post share one
  address, so an address must never lock their colleagues out.

Second-factor failures are axes attempts under the name ``2fa:<sign-in name>``, so they lift
like every other lockout: after ``AXES_COOLOFF_TIME``, or when an admin deletes the attempt
(Django admin, *Access attempts*, or ``manage.py axes_reset_username 2fa:<name>``).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SECOND_FACTOR_PREFIX = "2fa:"


def second_factor_login(user: Any) -> str:
    """The axes name under which ``user``'s wrong second-factor codes are counted."""
    return SECOND_FACTOR_PREFIX + user.get_username().strip().lower()


def second_factor_credentials(user: Any) -> dict[str, str]:
    return {settings.AXES_USERNAME_FORM_FIELD: second_factor_login(user)}


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list:
    """``AXES_LOCKOUT_PARAMETERS``: by account for second-factor codes, by name + address for
    passwords (axes also calls this with a stored attempt, which carries its username)."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        username = getattr(request_or_attempt, "username", None)
    if isinstance(username, str) and username.startswith(SECOND_FACTOR_PREFIX):
        return ["username"]
    return [["username", "ip_address"]]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: axes' own page, which says which kind of lock it is."""
    username = get_client_username(request, credentials) or ""
    second_factor = username.startswith(SECOND_FACTOR_PREFIX)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": username.removeprefix(SECOND_FACTOR_PREFIX),
        "second_factor": second_factor,
        "cooloff_timedelta": get_cool_off(request),
    }
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
