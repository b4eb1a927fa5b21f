"""Enqueue the periodic jobs when they are due (``core.periodic``); runs beside db_worker."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from prakerja.core.jobs import jobs_reap
from prakerja.core.periodic import periodic_enqueue_due


class Command(BaseCommand):
    help = (
        "Antrekan tugas berkala (hapus catatan idempotensi, pengingat janji temu, …) saat "
        "jatuh tempo. --once: sekali jalan (untuk cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="periksa sekali lalu keluar")
        parser.add_argument("--interval", type=float, default=30.0, help="detik antar periksa")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in periodic_enqueue_due():
                self.stdout.write(f"diantrekan: {name}")
            # Workers reap too; this covers a queue backend without db_worker (core.jobs).
            for job in jobs_reap():
                self.stdout.write(f"diambil alih: {job}")
            if options["once"]:
                return
            # The connection idles between checks; drop it if the database went away.
            close_old_connections()
            time.sleep(options["interval"])
