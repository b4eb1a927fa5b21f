from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from prakerja.linkage.demo import DEMO_APPLICANTS, population_demo_load


class Command(BaseCommand):
    help = (
        "Muat pendaftar demo (dibuat acak, NIK palsu) di gelombang yang dibuka, dua daftar "
        "pekerja terdampak dari Disnaker dan satu pencocokan data (idempoten)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pendaftar", type=int, default=DEMO_APPLICANTS, dest="applicants")

    def handle(self, *args: Any, **options: Any) -> None:
        result = population_demo_load(applicants=options["applicants"])
        self.stdout.write(
            f"pendaftar demo: {result.applicants} ({result.applicants_made} baru); "
            f"daftar Disnaker: {result.imports}; tautan: {result.auto_links}; "
            f"menunggu pemeriksaan: {result.review_pairs}"
        )
