"""Queue the import job again for every unfinished batch (after a worker was killed).

The job continues after the last committed chunk, so running this twice, or while a job is
still running, stores nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from prakerja.labourdata.models import ImportBatch
from prakerja.labourdata.services import import_batch_resume


class Command(BaseCommand):
    help = "Mengantrekan ulang impor data Disnaker yang belum selesai."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING]
        ).values_list("pk", flat=True)
        count = 0
        for batch_id in pending:
            import_batch_resume(batch_id=batch_id)
            count += 1
        self.stdout.write(f"{count} impor diantrekan ulang.")
