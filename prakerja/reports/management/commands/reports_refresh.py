"""``manage.py reports_refresh [--full]``: bring the dashboard's daily counts up to date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from prakerja.reports.refresh import daily_counts_refresh


class Command(BaseCommand):
    help = (
        "Perbarui hitungan harian dasbor: hanya hari yang berubah sejak pembaruan terakhir, "
        "atau semuanya dengan --full (idempoten)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Hitung ulang semua hari.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = daily_counts_refresh(full=options["full"])
        self.stdout.write(
            f"hari diperbarui: {summary.days}; baris: {summary.rows}; "
            f"penuh: {'ya' if summary.full else 'tidak'}"
        )
