"""Re-encrypt every stored ciphertext with the newest key in ``NIK_ENCRYPTION_KEYS``.

What is rotated is exactly ``identity.crypto.ENCRYPTED_FIELDS``: NIKs and KKs (and their
history rows), staff TOTP secrets and recovery-code seeds, uploaded import files and the
original cells of rejected import rows. A test fails when a model gains an encrypted column
that the registry does not list.

Rotation: put the new key first in ``NIK_ENCRYPTION_KEYS`` (keep the old ones after it), deploy,
run this command, then remove the old keys. Safe to re-run and to interrupt: a value already
encrypted with the newest key is skipped, and each batch commits on its own.

History tables are rotated as well: they hold the same ciphertexts, and a value left under a
retired (possibly leaked) key would defeat the rotation. Rotation is not a change of personal
data, so it writes no new history rows (``bulk_update`` sends no signals).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from prakerja.identity import crypto
from prakerja.identity.crypto import EncryptedField, Storage


def _non_empty(model: type[models.Model], entries: list[EncryptedField]) -> models.Q:
    """Rows where at least one registered column holds something (empty ones need nothing)."""
    condition = models.Q()
    for entry in entries:
        if entry.storage is Storage.TEXT:
            condition |= ~models.Q(**{entry.field: ""})
        elif entry.storage is Storage.BYTES:
            condition |= ~models.Q(**{entry.field: b""})
        else:
            condition |= models.Q(**{f"{entry.field}__isnull": False})
    return condition


def rotate_table(
    model: type[models.Model],
    entries: list[EncryptedField],
    *,
    batch_size: int,
    progress: Any = None,
) -> tuple[int, int]:
    """Rotate ``entries`` of one table in primary-key order; returns (rewritten, scanned).

    ``progress(scanned, total)`` is called after each committed batch.
    """
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    fields = [entry.field for entry in entries]
    size = min([batch_size] + [entry.max_batch for entry in entries if entry.max_batch])
    manager = model._default_manager
    total = manager.filter(_non_empty(model, entries)).count()
    rewritten = scanned = 0
    last_pk: Any = None
    while True:
        with transaction.atomic():
            # Row locks: a concurrent write (person_kk_set, a TOTP re-activation, an import job
            # clearing its file) between our read and our write would otherwise be overwritten
            # with the rotated old value.
            batch_qs = (
                manager.select_for_update().filter(_non_empty(model, entries)).order_by(pk_name)
            )
            if last_pk is not None:
                batch_qs = batch_qs.filter(**{f"{pk_name}__gt": last_pk})
            batch = list(batch_qs.only(pk_name, *fields)[:size])
            if not batch:
                break
            changed = []
            for row in batch:
                dirty = False
                for entry in entries:
                    try:
                        new = crypto.rotate_value(entry, getattr(row, entry.field))
                    except crypto.PersonalDataKeyError:
                        raise CommandError(
                            f"{model._meta.db_table}.{entry.field} {pk_name}="
                            f"{getattr(row, pk_name)}: tidak ada kunci di NIK_ENCRYPTION_KEYS "
                            "yang dapat membukanya (kunci lama dihapus terlalu cepat?)"
                        ) from None
                    if new is not None:
                        setattr(row, entry.field, new)
                        dirty = True
                if dirty:
                    changed.append(row)
            if changed:
                manager.bulk_update(changed, fields)
            rewritten += len(changed)
            scanned += len(batch)
            last_pk = getattr(batch[-1], pk_name)
        if progress is not None:
            progress(scanned, total)
    return rewritten, scanned


class Command(BaseCommand):
    help = (
        "Enkripsi ulang semua data terenkripsi (NIK, nomor KK, rahasia TOTP petugas, berkas "
        "impor, baris impor yang ditolak) dengan kunci terbaru (rotasi kunci)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            batch_size = 1000
        for label, entries in crypto.encrypted_fields_by_model().items():
            model = apps.get_model(label)
            table = model._meta.db_table
            columns = ", ".join(entry.field for entry in entries)

            def progress(scanned: int, total: int, table: str = table) -> None:
                self.stdout.write(f"  {table}: {scanned}/{total} baris diperiksa")

            self.stdout.write(f"{table} ({columns})")
            rewritten, scanned = rotate_table(
                model, entries, batch_size=batch_size, progress=progress
            )
            self.stdout.write(f"{table}: {rewritten} dari {scanned} baris dienkripsi ulang")
