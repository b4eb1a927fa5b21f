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

import logging
from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("axes.handlers.database")

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


class LockoutHandler(AxesDatabaseHandler):
    """axes's database handler without its sweep of expired attempts on every sign-in.

    axes deletes every attempt older than the cool-off at each sign-in, failed sign-in and
    sign-out: ``attempt_time <=`` a threshold, a column without an index, so each sign-in
    scans the whole table, and under a password-guessing storm (the table at its largest) every
    applicant's sign-in pays for it. Expired attempts count for nothing (axes only counts
    attempts newer than the cool-off), so the sweep runs hourly instead
    (``lockout_attempts_prune``, ``core.periodic``). Set as ``AXES_HANDLER``.
    """

    def clean_expired_user_attempts(
        self, request: HttpRequest | None = None, credentials: dict[str, Any] | None = None
    ) -> int:
        return 0

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """axes's reset at a successful sign-in (``AXES_RESET_ON_SUCCESS``) as one ``DELETE``
        per filter. axes's own reads the attempts first and deletes them in a transaction of
        their own (a SELECT, BEGIN and COMMIT on every sign-in, also when there are none),
        because something might act on each deleted row: axes's ``post_delete`` handler, which
        does nothing for this database handler, and the attempts' expiry rows, which exist
        only with ``AXES_USE_ATTEMPT_EXPIRATION`` (then axes's own reset runs).

        Nothing for an account without a usable password (an applicant signing in by SMS
        code or printed access code): the attempts under its name are wrong passwords typed
        on the staff page, and they only ever gate a sign-in by password, which that account
        cannot make. Keeping them until the cool-off locks out no one, and saves a statement
        per applicant sign-in (issue 17)."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.has_usable_password():
            return 0
        if getattr(settings, "AXES_USE_ATTEMPT_EXPIRATION", False):
            return int(super().reset_user_attempts(request, credentials))
        using = router.db_for_write(AccessAttempt)
        count = sum(
            attempts._raw_delete(using)
            for attempts in self.filter_user_attempts(request, credentials)
        )
        logger.info("AXES: Reset %s access attempts from database.", count)
        return count


def lockout_attempts_prune(*, now: datetime | None = None) -> int:
    """Delete the attempts older than the cool-off (axes's own sweep); returns how many."""
    cool_off = get_cool_off(None)
    if cool_off is None:  # no cool-off: attempts never expire
        return 0
    threshold = (now or timezone.now()) - cool_off
    _total, by_model = AccessAttempt.objects.filter(attempt_time__lte=threshold).delete()
    return by_model.get(AccessAttempt._meta.label, 0)
