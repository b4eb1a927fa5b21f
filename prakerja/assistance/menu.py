"""Post pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "console:dashboard",
        _("Konsol"),
        _("Konsol petugas posko: cari, daftarkan, dan layani pendaftar"),
        roles=[Role.OFFICER],
        primary_for=[Role.OFFICER],
        order=10,
    ),
    item(
        "assistance:queue",
        _("Antrean"),
        _("Antrean dan janji temu hari ini"),
        roles=[Role.OFFICER],
        primary_for=[Role.OFFICER],
        order=11,
    ),
    item(
        "assistance:upcoming",
        _("Janji temu mendatang"),
        _("Janji temu posko untuk 7 hari ke depan"),
        roles=[Role.OFFICER],
        primary_for=[Role.OFFICER],
        order=12,
    ),
    item(
        "assistance:my_appointments",
        _("Jadwal posko saya"),
        _("Jadwal kunjungan posko saya"),
        roles=[Role.APPLICANT],
        order=20,
    ),
]
