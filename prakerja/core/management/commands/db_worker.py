"""``manage.py db_worker``: django-tasks' database worker, plus the lease reaper (core.jobs).

The same command and options as ``django_tasks_db``'s (this app is listed above it, so this
one is found first). In addition, the worker takes back the jobs of dead workers: once when
it starts (a worker restarted after a crash finds its own job again at once) and then every
half lease period in a thread of its own, while the worker runs jobs or waits for them.
"""

from __future__ import annotations

import gc
import logging
import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from prakerja.core.jobs import Reaper, jobs_reap

logger = logging.getLogger("prakerja.core.jobs")


class Command(DatabaseWorkerCommand):
    help = (
        "Jalankan pekerja antrean tugas (django-tasks), yang juga mengambil alih tugas milik "
        "pekerja yang mati (sewa tugas kedaluwarsa)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        reaper = None
        if not reloader_parent:
            try:
                for job in jobs_reap():
                    logger.warning("taken back at start: %s", job)
            except Exception:
                logger.exception("lease reaper failed at start")
            if not options.get("batch"):
                reaper = Reaper()
                reaper.start()
            # Everything loaded so far (Django, the apps, polars) lives as long as the
            # process: out of the cyclic collector's sight, it is not walked again and again
            # while a job allocates its rows (bench/README.md, labour import). Once, here,
            # for the whole process, rather than around one job in a service.
            gc.freeze()
        try:
            super().handle(*args, **options)
        finally:
            if reaper is not None:
                reaper.stopping.set()
