from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prakerja.assistance.demo import demo_accounts_ensure
from prakerja.assistance.services import assistance_seed_load
from prakerja.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Muat data demo: 56 posko, saluran call center, dan akun demo tiap peran (idempoten)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRAKERJA_ENV != "demo":
            raise CommandError("Data demo hanya boleh dimuat bila PRAKERJA_ENV=demo.")
        try:
            seeded = assistance_seed_load()
            accounts = demo_accounts_ensure()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"posko: {seeded.posts_total} ({seeded.posts_created} baru); akun demo: {len(accounts)}"
        )
