"""Re-encrypt every stored NIK and KK with the newest key in ``NIK_ENCRYPTION_KEYS``.

Rotation: put the new key first in ``NIK_ENCRYPTION_KEYS`` (keep the old ones after it), deploy,
run this command, then remove the old keys. Safe to re-run and to interrupt: a value already
encrypted with the newest key is skipped, and each batch commits on its own.

The history table is rotated as well: it holds the same ciphertexts, and a value left under a
retired (possibly leaked) key would defeat the rotation. Rotation is not a change of personal
data, so it writes no new history rows.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from prakerja.identity import crypto
from prakerja.identity.models import Person

ENCRYPTED_FIELDS = ("nik_encrypted", "kk_encrypted")


def rotate_table(model: type[models.Model], *, batch_size: int) -> tuple[int, int]:
    """Rotate one table in primary-key order; returns (rows rewritten, rows scanned)."""
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    rewritten = scanned = 0
    last_pk: Any = None
    while True:
        with transaction.atomic():
            # Row locks: a concurrent person_kk_set between our read and our write would
            # otherwise be overwritten with the rotated old value.
            batch_qs = model._default_manager.select_for_update().order_by(pk_name)
            if last_pk is not None:
                batch_qs = batch_qs.filter(**{f"{pk_name}__gt": last_pk})
            batch = list(batch_qs.only(pk_name, *ENCRYPTED_FIELDS)[:batch_size])
            if not batch:
                break
            changed = []
            for row in batch:
                dirty = False
                for name in ENCRYPTED_FIELDS:
                    token = getattr(row, name)
                    if token and not crypto.is_current(token):
                        setattr(row, name, crypto.rotate(token))
                        dirty = True
                if dirty:
                    changed.append(row)
            if changed:
                model._default_manager.bulk_update(changed, list(ENCRYPTED_FIELDS))
            rewritten += len(changed)
            scanned += len(batch)
            last_pk = getattr(batch[-1], pk_name)
    return rewritten, scanned


class Command(BaseCommand):
    help = "Enkripsi ulang semua NIK dan nomor KK dengan kunci terbaru (rotasi kunci)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            batch_size = 1000
        for model in (Person, Person.history.model):
            rewritten, scanned = rotate_table(model, batch_size=batch_size)
            self.stdout.write(
                f"{model._meta.db_table}: {rewritten} dari {scanned} baris dienkripsi ulang"
            )
