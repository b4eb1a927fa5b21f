from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.enrolment.demo import enrolment_demo_load


class Command(BaseCommand):
    help = (
        "Muat data demo kepesertaan: peserta dari gelombang yang sudah diumumkan dan satu-dua "
        "pendaftaran pelatihan bila katalog demo ada (idempoten)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = enrolment_demo_load()
        self.stdout.write(
            f"peserta pelatihan: {summary.participants} ({summary.participants_made} baru); "
            f"pendaftaran pelatihan demo: {summary.enrolled}"
        )
        if not summary.participants:
            self.stdout.write(
                "Belum ada gelombang yang diumumkan: peserta dibuat otomatis saat hasil "
                "seleksi diumumkan."
            )
