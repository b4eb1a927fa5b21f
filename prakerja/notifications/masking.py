"""Masking for what the outbox page shows.

The outbox holds live sign-in codes: whoever reads one can sign in as the applicant. Codes are
not only digits: the access code an officer has sent is eight letters and digits shown as
``ACDE-7KMN`` (valid 24 hours), and allauth's own dashed codes look the same. The page therefore
masks every code-like token, all but its last three characters:

- an upper-case letters-and-digits run joined by hyphens (``ACDE-7KMN`` → ``****-*KMN``), even
  with no digit in it, since the access-code alphabet is mostly letters;
- any run of letters and digits with a digit in it (``A1B2C3D4`` → ``*****3D4``);
- any run of digits (``+6281234567890`` → ``+**********890``).

Ordinary words, lower- or mixed-case with no digit, stay readable. A token of three characters
or fewer (``10 menit``) is left as it is: nothing that short is a code here.
"""

from __future__ import annotations

import re

KEEP = 3

_CODE_LIKE = re.compile(
    r"\b[A-Z0-9]{3,}(?:-[A-Z0-9]{3,})+\b"  # ACDE-7KMN, ABCD-EFGH
    r"|\b(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]+\b"  # A1B2C3D4, 482913
    r"|[0-9]+",  # digits inside a longer word (kode_123456)
    re.ASCII,
)


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    shown = 0
    masked = []
    # From the end: keep the last KEEP letters/digits, hide the rest, keep the hyphens.
    for ch in reversed(token):
        if ch == "-":
            masked.append(ch)
        elif shown < KEEP:
            masked.append(ch)
            shown += 1
        else:
            masked.append("*")
    return "".join(reversed(masked))


def codes_mask(text: str) -> str:
    """``Kode akses: ACDE-7KMN. Berlaku 24 jam`` → ``Kode akses: ****-*KMN. Berlaku 24 jam``."""
    return _CODE_LIKE.sub(_mask_token, text)
