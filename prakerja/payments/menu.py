"""Payment pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "payments:my_payments",
        _("Pembayaran saya"),
        _("Pembayaran saya: rekening, insentif, dan survei"),
        roles=[Role.APPLICANT],
        primary_for=[Role.APPLICANT],
        order=12,
    ),
    item(
        "payments:treasury",
        _("Pembayaran"),
        _("Pembayaran insentif: batch, berkas bank, hasil bank"),
        roles=[Role.TREASURY, Role.SUPERADMIN],
        primary_for=[Role.TREASURY],
        order=10,
    ),
    item(
        "payments:report",
        _("Laporan pembayaran"),
        _("Laporan pembayaran per kabupaten/kota dan bulan"),
        roles=[Role.TREASURY, Role.MANAGER, Role.VIEWER, Role.DATA_OFFICER, Role.SUPERADMIN],
        primary_for=[Role.TREASURY],
        order=73,
    ),
]
