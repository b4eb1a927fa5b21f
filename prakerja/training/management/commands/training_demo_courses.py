from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.training.demo_courses import training_demo_courses


class Command(BaseCommand):
    help = "Muat katalog pelatihan demo: lembaga terverifikasi, pelatihan dan angkatannya."

    def handle(self, *args: Any, **options: Any) -> None:
        total = training_demo_courses()
        self.stdout.write(f"katalog pelatihan: {total} pelatihan")
