"""``manage.py fraud_signals_run``: compute the fraud and error signals now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.fraud.services import signals_run


class Command(BaseCommand):
    help = "Hitung sinyal kecurangan dan kesalahan dari seluruh data (idempoten)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = signals_run()
        self.stdout.write(
            f"sinyal ditemukan: {summary.found}; baru: {summary.new}; "
            f"dibuka lagi: {summary.reopened}"
        )
