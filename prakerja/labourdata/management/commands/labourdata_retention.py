"""Run the retention deletion now (the scheduler also runs it every night at 02.30 WIB).

Deletes the uploaded file and the original cells of the rejected and duplicate rows of every
import done at least ``LABOURDATA_RETENTION_DAYS`` days ago. Running it twice is harmless.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.labourdata.retention import import_data_retention_apply, retention_days


class Command(BaseCommand):
    help = "Menghapus berkas impor dan isi baris yang ditolak yang sudah melewati masa simpan."

    def handle(self, *args: Any, **options: Any) -> None:
        result = import_data_retention_apply(
            reason=f"retensi {retention_days()} hari, dijalankan manual (labourdata_retention)"
        )
        self.stdout.write(
            f"Data {result.batches} impor dihapus ({result.rows_cleared} baris dikosongkan)."
        )
