"""Registration reference codes, short enough to read over the phone (SPEC §3.2).

``PJ-7K3M-9Q2X``: a fixed prefix and eight characters from an alphabet without the characters
people confuse when reading aloud or from a blurred print (0/O, 1/I/L). 31⁸ ≈ 8.5 × 10¹¹ codes,
so a random code collides with an existing one rarely; the unique index decides, and the
service retries.
"""

from __future__ import annotations

import re

from prakerja.core.randomness import random_string

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "PJ"
CODE_LENGTH = 8
# What a person may type: any case, with or without the dashes and spaces.
MAX_INPUT_LENGTH = 20
_INPUT_NOISE = re.compile(r"[\s\-]+")
_FORMATTED = re.compile(rf"{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")
# For URL patterns: the canonical form only.
URL_PATTERN = rf"{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}"


def reference_generate() -> str:
    """A fresh random reference (uniqueness is the caller's business)."""
    code = random_string(CODE_LENGTH, ALPHABET)
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def reference_normalise(text: str) -> str | None:
    """``pj 7k3m 9q2x`` → ``PJ-7K3M-9Q2X``; None for anything that cannot be a reference."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        return None
    compact = _INPUT_NOISE.sub("", text).upper()
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != CODE_LENGTH:
        return None
    formatted = f"{PREFIX}-{compact[:4]}-{compact[4:]}"
    return formatted if _FORMATTED.fullmatch(formatted) else None
