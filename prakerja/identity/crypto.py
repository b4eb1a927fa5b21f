"""Personal data at rest (UU PDP 27/2022): encryption and blind indexes for NIK and KK.

* ``encrypt``/``decrypt`` use Fernet (AES-128-CBC + HMAC-SHA256) over ``NIK_ENCRYPTION_KEYS``,
  newest key first: the first key encrypts, every listed key decrypts, so keys can be rotated
  without downtime (add the new key in front, run ``personal_data_rotate_keys``, then drop the
  old key).
* ``blind_index`` is a keyed HMAC used for exact lookups and the unique constraint: equal values
  give equal indexes, but without ``NIK_HMAC_KEY`` nobody can test guesses against the table —
  a plain SHA-256 of a NIK would fall to enumerating the ~10^10 plausible NIKs.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class PersonalDataKeyError(Exception):
    """A stored value cannot be decrypted with any configured key."""


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    # Cached per key list rather than once, so override_settings and a reloaded config apply.
    if not keys:
        raise PersonalDataKeyError("NIK_ENCRYPTION_KEYS is empty")
    fernets = [Fernet(key) for key in keys]
    return fernets[0], MultiFernet(fernets)


def _configured() -> tuple[Fernet, MultiFernet]:
    return _fernets(tuple(settings.NIK_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _configured()[1].encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _configured()[1].decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise PersonalDataKeyError(
            "cannot decrypt with any key in NIK_ENCRYPTION_KEYS "
            "(was a key removed before personal_data_rotate_keys finished?)"
        ) from None


def is_current(token: str) -> bool:
    """Whether ``token`` is already encrypted with the newest key (so rotation can skip it)."""
    try:
        _configured()[0].decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the newest key, whichever listed key encrypted it."""
    try:
        return _configured()[1].rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise PersonalDataKeyError("cannot rotate: no configured key decrypts this value") from None


def blind_index(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of ``value`` under a key derived for ``purpose`` ("nik", "kk").

    Deriving one key per purpose keeps the indexes of different kinds of number unrelated: a
    KK that happens to equal some NIK does not get the same index.
    """
    if not purpose:
        raise ValueError("purpose is required")
    master = settings.NIK_HMAC_KEY.encode("utf-8")
    purpose_key = hmac.new(master, b"prakerja.blind-index." + purpose.encode(), hashlib.sha256)
    return hmac.new(purpose_key.digest(), value.encode("utf-8"), hashlib.sha256).hexdigest()
