from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.labourdata.sisnaker_demo import sisnaker_demo_load


class Command(BaseCommand):
    help = "Muat daftar Sisnaker demo dan cocokkan dengan lembaga pelatihan (sekali)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"daftar Sisnaker: {sisnaker_demo_load()} impor")
