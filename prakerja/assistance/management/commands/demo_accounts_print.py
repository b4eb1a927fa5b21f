from __future__ import annotations

from typing import Any

from allauth.mfa import app_settings
from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.totp import totp_code, totp_seconds_left
from prakerja.assistance.demo import demo_accounts_list
from prakerja.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Cetak akun demo: peran, nama pengguna, kata sandi, rahasia TOTP, dan kode TOTP "
        "saat ini (hanya PRAKERJA_ENV=demo)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            accounts = demo_accounts_list()
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if not accounts:
            return
        rows = [("PERAN", "NAMA PENGGUNA", "KATA SANDI", "RAHASIA TOTP", "KODE")]
        for account in accounts:
            secret = account.totp_secret
            rows.append(
                (
                    str(account.role.label),
                    account.username,
                    account.password,
                    secret or "-",
                    totp_code(secret) if secret else "-",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
        self.stdout.write(
            f"\nKode TOTP berganti setiap {app_settings.TOTP_PERIOD} detik (yang ini berlaku "
            f"{totp_seconds_left()} detik lagi); cetak ulang dengan "
            "`manage.py demo_totp NAMA_PENGGUNA`."
        )
