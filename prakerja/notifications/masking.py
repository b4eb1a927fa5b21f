"""Masking for what the outbox page shows.

The outbox holds live sign-in codes: whoever reads one can sign in as the applicant. The page
therefore shows every run of digits, codes and phone numbers alike, with all but its last three
digits hidden, enough to tell messages apart, never enough to use one.
"""

from __future__ import annotations

import re

_DIGIT_RUN = re.compile(r"\d+", re.ASCII)
KEEP = 3


def _mask_run(match: re.Match[str]) -> str:
    digits = match.group(0)
    if len(digits) <= KEEP:
        return digits
    return "*" * (len(digits) - KEEP) + digits[-KEEP:]


def digits_mask(text: str) -> str:
    """``Kode Anda 123456`` → ``Kode Anda ***456``; ``+6281234567890`` → ``+**********890``."""
    return _DIGIT_RUN.sub(_mask_run, text)
