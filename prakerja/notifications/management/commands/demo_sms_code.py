from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prakerja.core.errors import ApplicationError
from prakerja.identity.phones import phone_normalise
from prakerja.notifications.selectors import outbox_latest_sms_to


class Command(BaseCommand):
    help = (
        "Cetak SMS terakhir ke satu nomor HP dari kotak keluar, untuk membaca kode masuk "
        "dalam demo (hanya PRAKERJA_ENV=demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone", help="Nomor HP, mis. 081234567890")

    def handle(self, *args: Any, phone: str, **options: Any) -> None:
        # Whoever runs manage.py on the demo machine is the demo user; the outbox page shows
        # staff only masked codes, so this is the one place a demo sign-in code can be read.
        if settings.PRAKERJA_ENV != "demo":
            raise CommandError("Perintah ini hanya untuk demo (PRAKERJA_ENV=demo).")
        try:
            e164 = phone_normalise(phone)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        message = outbox_latest_sms_to(phone=e164)
        if message is None:
            raise CommandError(
                "Belum ada SMS ke nomor ini. Minta kode masuk di halaman masuk terlebih dahulu."
            )
        self.stdout.write(f"{message.created_at:%Y-%m-%d %H:%M:%S}  {message.body}")
