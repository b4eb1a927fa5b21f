from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from prakerja.assistance.services import assistance_seed_load
from prakerja.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Muat 56 posko pendampingan Jawa Timur dan 2 saluran call center (idempoten)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = assistance_seed_load()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"posko: {result.posts_total} ({result.posts_created} baru); "
            f"saluran call center baru: {result.lines_created}"
        )
