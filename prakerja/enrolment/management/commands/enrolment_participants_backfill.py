from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.enrolment.services.participants import participants_backfill


class Command(BaseCommand):
    help = (
        "Jadikan peserta pelatihan setiap pendaftar terpilih di gelombang yang sudah "
        "diumumkan sebelum aplikasi kepesertaan ada (idempoten)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = participants_backfill(actor=None)
        self.stdout.write(f"peserta baru: {made}")
