"""The codes an authenticator app would show, for demo hand-outs and tests."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The current code for ``secret`` (or the one at Unix time ``at``)."""
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def totp_seconds_left(*, at: float | None = None) -> int:
    """Seconds until the current code changes."""
    now = int(time.time() if at is None else at)
    return app_settings.TOTP_PERIOD - now % app_settings.TOTP_PERIOD


def totp_code_lasting(secret: str, *, seconds: int = 3) -> str:
    """The current code for ``secret``, waiting for the next period first if this one has
    fewer than ``seconds`` left: allauth accepts only the current period's code, so a code
    typed (or posted by a test) just before it rolls over would be refused."""
    if totp_seconds_left() < seconds:
        time.sleep(totp_seconds_left() + 0.5)
    return totp_code(secret)
