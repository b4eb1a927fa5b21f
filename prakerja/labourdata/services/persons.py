"""Persons in bulk for an import: the NIK blind index computed fast, insert-or-ignore."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils import timezone

from prakerja.core.history import history_bulk_insert
from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.labourdata.bulk import pairs_where_in, rows_insert_new


class NikIndexer:
    """``crypto.blind_index(value, purpose="nik")`` with the purpose key derived once: the same
    digests (a test holds it to that), without re-deriving the key for every row."""

    def __init__(self, purpose: str = "nik") -> None:
        master = settings.NIK_HMAC_KEY.encode("utf-8")
        self._key = hmac.new(
            master, b"prakerja.blind-index." + purpose.encode(), hashlib.sha256
        ).digest()

    def __call__(self, value: str) -> str:
        return hmac.digest(self._key, value.encode("utf-8"), "sha256").hex()


def person_ids_ensure(
    niks: dict[str, str],
    *,
    actor: Any | None,
    reason: str,
    tokens: dict[str, str] | None = None,
) -> dict[str, int]:
    """``{nik_index: person_id}`` for ``{nik_index: nik}``, creating the persons who are new
    (``tokens``: ``{nik_index: encrypted NIK}`` already at hand, encrypted here otherwise).
    The persons created get their "created" history row (``actor``, ``reason``) in one more
    statement.

    Insert-or-ignore on the unique blind index: a person created meanwhile by a registration
    (or a second import run) is simply found, never duplicated.
    """
    if not niks:
        return {}
    keys = list(niks)
    found: dict[str, int] = pairs_where_in(Person, "nik_index", "id", keys)
    missing = [key for key in keys if key not in found]
    if missing:
        encrypt = crypto.encrypt
        ready = tokens or {}
        now = timezone.now()
        created = rows_insert_new(
            Person,
            ("nik_encrypted", "nik_index", "kk_encrypted", "kk_index", "created_at"),
            [(ready.get(key) or encrypt(niks[key]), key, "", "", now) for key in missing],
            key_field="nik_index",
        )
        found.update(created)
        if created:
            history_bulk_insert(
                Person, list(created.values()), actor=actor, reason=reason, history_date=now
            )
        # Created meanwhile by a registration or another import (the insert skipped them).
        raced = [key for key in missing if key not in found]
        if raced:
            found.update(pairs_where_in(Person, "nik_index", "id", raced))
    return found
