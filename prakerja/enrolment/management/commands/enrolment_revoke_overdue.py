from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.enrolment.tasks import participants_revoke_overdue_job


class Command(BaseCommand):
    help = (
        "Cabut kepesertaan yang melewati batas membeli pelatihan dan promosikan pendaftar "
        "berikutnya di daftar tunggu (sama dengan tugas harian; SMS dikirim tugas terpisah)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = participants_revoke_overdue_job.call()
        self.stdout.write(
            f"dicabut: {summary['revoked']}, dipromosikan: {summary['promoted']}, "
            f"tidak terisi: {summary['unfilled']}"
        )
