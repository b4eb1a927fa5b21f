"""``manage.py payments_demo_load``: the payments demo (idempotent; part of ``demo_setup``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.payments.demo import payments_demo_load


class Command(BaseCommand):
    help = "Muat data demo pembayaran insentif: rekening, angsuran, satu batch (idempoten)."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = payments_demo_load()
        self.stdout.write(
            f"peserta lulus untuk demo pembayaran: {demo.completed}; batch: {demo.batches}"
        )
