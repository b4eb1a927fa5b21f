"""Personal data at rest (UU PDP 27/2022): encryption and blind indexes for NIK and KK.

* ``encrypt``/``decrypt`` use Fernet (AES-128-CBC + HMAC-SHA256) over ``NIK_ENCRYPTION_KEYS``,
  newest key first: the first key encrypts, every listed key decrypts, so keys can be rotated
  without downtime (add the new key in front, run ``personal_data_rotate_keys``, then drop the
  old key).
* ``blind_index`` is a keyed HMAC used for exact lookups and the unique constraint: equal values
  give equal indexes, but without ``NIK_HMAC_KEY`` nobody can test guesses against the table —
  a plain SHA-256 of a NIK would fall to enumerating the ~10^10 plausible NIKs.
* ``ENCRYPTED_FIELDS`` is the one list of every stored column that holds a ciphertext under
  these keys. ``personal_data_rotate_keys`` re-encrypts exactly what it lists, and a test walks
  every model and fails on an encrypted column missing from it: a column forgotten here would
  become unreadable the day the old key is dropped (issue 11: staff TOTP secrets were).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

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


def encrypt_bytes(data: bytes) -> bytes:
    """Binary content (a document that may carry personal data) under the personal-data keys."""
    return _configured()[1].encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _configured()[1].decrypt(token)
    except InvalidToken:
        raise PersonalDataKeyError("cannot decrypt with any key in NIK_ENCRYPTION_KEYS") from None


def rotate_bytes(token: bytes) -> bytes:
    """``rotate`` for binary content (an uploaded file, ``labourdata.services.file_encrypt``)."""
    try:
        return _configured()[1].rotate(token)
    except InvalidToken:
        raise PersonalDataKeyError("cannot rotate: no configured key decrypts this value") from None


def is_current_bytes(token: bytes) -> bool:
    try:
        _configured()[0].decrypt(token)
    except InvalidToken:
        return False
    return True


# --- The registry of encrypted columns ------------------------------------------------------


class Storage(enum.Enum):
    TEXT = "text"  # a TextField holding one Fernet token ("" when empty)
    BYTES = "bytes"  # a BinaryField holding one Fernet token as ASCII bytes (b"" when empty)
    JSON = "json"  # a JSONField whose listed keys hold prefixed tokens (or lists of them)


# allauth's Authenticator.data values written by ``accounts.adapters.MFAAdapter``; values
# without it predate the adapter and are stored as they came (not ours to rotate).
MFA_PREFIX = "fernet:"


@dataclass(frozen=True)
class EncryptedField:
    """One column holding ciphertext under ``NIK_ENCRYPTION_KEYS``.

    ``model`` is the Django label (``app_label.ModelName``, history models included: they copy
    the ciphertext). For ``Storage.JSON``, ``json_keys`` names the keys holding tokens, each
    token starting with ``prefix``.
    """

    model: str
    field: str
    storage: Storage = Storage.TEXT
    json_keys: tuple[str, ...] = ()
    prefix: str = ""
    # Rows fetched per committed batch at most: a row of ImportBatch holds a whole upload.
    max_batch: int | None = None


ENCRYPTED_FIELDS: tuple[EncryptedField, ...] = (
    EncryptedField("identity.Person", "nik_encrypted"),
    EncryptedField("identity.Person", "kk_encrypted"),
    EncryptedField("identity.HistoricalPerson", "nik_encrypted"),
    EncryptedField("identity.HistoricalPerson", "kk_encrypted"),
    # Staff TOTP secrets and recovery-code seeds (accounts.adapters.MFAAdapter).
    EncryptedField(
        "mfa.Authenticator",
        "data",
        storage=Storage.JSON,
        json_keys=("secret", "seed", "migrated_codes"),
        prefix=MFA_PREFIX,
    ),
    # Uploads waiting for (or being read by) their import job.
    EncryptedField("labourdata.ImportBatch", "file_encrypted", Storage.BYTES, max_batch=10),
    # Original cells of rejected and duplicate import rows, for the rejected-rows download.
    EncryptedField("labourdata.ImportRow", "raw_encrypted"),
    # Providers' legal documents (deeds name founders and directors, with their NIKs).
    EncryptedField("training.ProviderDocument", "content_encrypted", Storage.BYTES, max_batch=10),
    # Participants' bank account or e-wallet numbers, and their copy in each payment batch.
    EncryptedField("payments.PaymentAccount", "number_encrypted"),
    EncryptedField("payments.HistoricalPaymentAccount", "number_encrypted"),
    EncryptedField("payments.PaymentLine", "number_encrypted"),
)


def encrypted_fields_by_model() -> dict[str, list[EncryptedField]]:
    """``ENCRYPTED_FIELDS`` grouped by model label, in registry order."""
    grouped: dict[str, list[EncryptedField]] = {}
    for entry in ENCRYPTED_FIELDS:
        grouped.setdefault(entry.model, []).append(entry)
    return grouped


def rotate_value(entry: EncryptedField, value: Any) -> Any:
    """``value`` of ``entry``'s column with every token under the newest key, or ``None`` when
    nothing in it needed re-encrypting (empty, or already current)."""
    if entry.storage is Storage.TEXT:
        if not value or is_current(value):
            return None
        return rotate(value)
    if entry.storage is Storage.BYTES:
        token = bytes(value) if value else b""
        if not token or is_current_bytes(token):
            return None
        return rotate_bytes(token)
    if not isinstance(value, dict):
        return None
    changed = False
    result = dict(value)
    for key in entry.json_keys:
        item = result.get(key)
        if isinstance(item, list):
            rotated_items = [_rotate_prefixed(entry.prefix, element) for element in item]
            if any(new is not None for new in rotated_items):
                result[key] = [
                    new if new is not None else old
                    for old, new in zip(item, rotated_items, strict=True)
                ]
                changed = True
        else:
            new = _rotate_prefixed(entry.prefix, item)
            if new is not None:
                result[key] = new
                changed = True
    return result if changed else None


def _rotate_prefixed(prefix: str, item: Any) -> str | None:
    if not isinstance(item, str) or not item.startswith(prefix):
        return None
    token = item.removeprefix(prefix)
    if not token or is_current(token):
        return None
    return prefix + rotate(token)
