"""Enqueue tomorrow's appointment reminders by hand (the scheduler runs them daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from prakerja.assistance.tasks import appointment_reminders_send


class Command(BaseCommand):
    help = "Antrekan pengingat SMS untuk janji temu besok (atau tanggal --date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; bawaan: besok")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                date = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Tanggal tidak valid; tulis YYYY-MM-DD.") from None
        else:
            date = timezone.localdate() + dt.timedelta(days=1)
        result = appointment_reminders_send.enqueue(date=date.isoformat())
        self.stdout.write(f"pengingat {date.isoformat()} diantrekan (job {result.id})")
