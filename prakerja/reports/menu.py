"""Report pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "reports:dashboard",
        _("Dasbor"),
        _("Dasbor pimpinan: corong, kanal, wilayah, kuota"),
        roles=[Role.MANAGER, Role.VIEWER, Role.SUPERADMIN],
        primary_for=[Role.MANAGER, Role.VIEWER],
        order=69,
    ),
    item(
        "reports:daily",
        _("Laporan"),
        _("Rekap harian: pendaftaran per kanal, posko, dan call center"),
        roles=[Role.MANAGER, Role.VIEWER, Role.SUPERADMIN],
        primary_for=[Role.MANAGER, Role.VIEWER],
        order=70,
    ),
]
