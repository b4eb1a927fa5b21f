"""``manage.py payments_make_due``: the daily due-instalment job, run now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.payments.services.schedule import instalments_make_due


class Command(BaseCommand):
    help = "Buat angsuran insentif yang sudah menjadi hak peserta dan tandai yang jatuh tempo."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = instalments_make_due()
        self.stdout.write(
            f"angsuran baru: {summary.created}; menjadi jatuh tempo: {summary.became_due}"
        )
