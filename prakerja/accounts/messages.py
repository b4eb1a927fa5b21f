"""The SMS texts of sign-in, in one place.

Plain GSM-7 characters and under 160 of them, so that each is one SMS part on every
Indonesian network. Codes are never sent with a link to a page asking for them: a message
that carries both is what phishing copies.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def _url(name: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name)


def sign_in_url() -> str:
    return _url("account_request_login_code")


def sign_in_code(code: str) -> str:
    return _(
        "Kode masuk Prakerja Jatim: %(code)s. Berlaku 10 menit. JANGAN berikan kode ini "
        "kepada siapa pun, termasuk petugas."
    ) % {"code": code}


def access_code(code: str) -> str:
    return _(
        "Kode akses Prakerja Jatim: %(code)s. Berlaku 24 jam, sekali pakai. Masukkan bersama "
        "nomor HP ini di halaman Kode Akses. JANGAN berikan kepada siapa pun."
    ) % {"code": code}


def unknown_account() -> str:
    return _(
        "Belum ada akun Prakerja Jatim dengan nomor ini. Daftar dengan nomor HP Anda di %(url)s"
    ) % {"url": sign_in_url()}


def account_exists() -> str:
    return _(
        "Nomor ini sudah terdaftar di Prakerja Jatim. Masuk dengan nomor HP ini di %(url)s"
    ) % {"url": sign_in_url()}


def recovery() -> str:
    return _(
        "Untuk masuk kembali ke akun Prakerja Jatim Anda, buka %(url)s lalu tulis nomor HP "
        "ini. Kode masuk akan dikirim lewat SMS."
    ) % {"url": sign_in_url()}


def phone_changed_old_number() -> str:
    return _(
        "Nomor HP akun Prakerja Jatim Anda sudah diganti oleh petugas. Bila Anda tidak "
        "memintanya, segera hubungi call center 031-8293097 atau 031-8280254."
    )
