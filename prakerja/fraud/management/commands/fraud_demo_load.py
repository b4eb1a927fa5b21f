"""``manage.py fraud_demo_load``: demo signals (idempotent; part of ``demo_setup``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.fraud.demo import fraud_demo_load


class Command(BaseCommand):
    help = "Muat contoh sinyal kecurangan: nomor HP dan email dipakai bersama (idempoten)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = fraud_demo_load()
        found = summary.found if summary else 0
        self.stdout.write(f"sinyal demo: {found}")
