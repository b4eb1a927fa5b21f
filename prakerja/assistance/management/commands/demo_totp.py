from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prakerja.accounts.totp import totp_code
from prakerja.assistance.demo import DEMO_USERNAMES, demo_accounts_list
from prakerja.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Cetak kode TOTP saat ini untuk satu akun demo (hanya PRAKERJA_ENV=demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="nama pengguna akun demo, mis. petugas")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        try:
            accounts = {account.username: account for account in demo_accounts_list()}
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if username not in DEMO_USERNAMES:
            raise CommandError(
                f"{username!r} bukan akun demo; pilihan: {', '.join(DEMO_USERNAMES)}."
            )
        account = accounts.get(username)
        if account is None:
            raise CommandError(
                f"Akun demo {username!r} belum dibuat: jalankan `manage.py demo_load`."
            )
        if account.totp_secret is None:
            raise CommandError(f"Akun demo {username!r} tidak memakai TOTP.")
        self.stdout.write(totp_code(account.totp_secret))
