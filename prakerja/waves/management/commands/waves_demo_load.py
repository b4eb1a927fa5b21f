from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.waves.demo import waves_demo_load


class Command(BaseCommand):
    help = "Muat gelombang demo: Gelombang 1 Jawa Timur (kuota 543.000, tutup 17 April 2020)."

    def handle(self, *args: Any, **options: Any) -> None:
        wave = waves_demo_load()
        self.stdout.write(
            f"gelombang: {wave.name}, kuota {wave.total_quota:,} di "
            f"{wave.quotas.count()} kabupaten/kota".replace(",", ".")
        )
