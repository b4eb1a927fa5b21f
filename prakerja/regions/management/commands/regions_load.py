from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from prakerja.regions.services import regions_load


class Command(BaseCommand):
    help = "Muat data wilayah idn-area-data 4.0.1 (idempoten; berkas yang tidak berubah dilewati)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Muat ulang walau tidak berubah.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        for result in regions_load(force=force):
            state = "tidak berubah, dilewati" if result.skipped else "dimuat"
            self.stdout.write(f"{result.name}: {result.rows} baris ({state})")
