from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.core.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Hapus catatan Idempotency-Key dan token formulir yang lebih tua dari 24 jam."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_prune()
        self.stdout.write(f"catatan idempotensi dihapus: {deleted}")
