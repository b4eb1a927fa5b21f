from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.registry.services.programme import registry_seed_load


class Command(BaseCommand):
    help = (
        "Muat program Kartu Prakerja Jatim: aturan kelayakan bawaan, teks persetujuan v1, dan "
        "soal tes demo (idempoten; tidak menimpa perubahan pengelola)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = registry_seed_load()
        self.stdout.write(
            f"program: {result.programme.code}; aturan baru: {result.rules_created}; "
            f"soal baru: {result.questions_created}; "
            f"teks persetujuan baru: {'ya' if result.consent_created else 'tidak'}"
        )
