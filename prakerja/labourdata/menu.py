"""Labour-office data pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "labourdata:index",
        _("Impor data"),
        _("Impor data pekerja terdampak dan penerima JPS"),
        roles=[Role.DATA_OFFICER, Role.SUPERADMIN],
        primary_for=[Role.DATA_OFFICER],
        order=10,
    ),
    item(
        "labourdata:counts",
        _("Pekerja terdampak"),
        _("Rekap pekerja terdampak per kategori dan wilayah"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.VIEWER, Role.SUPERADMIN],
        order=71,
    ),
    item(
        "labourdata:sisnaker",
        _("Rekonsiliasi Sisnaker"),
        _("Rekonsiliasi lembaga dengan Sisnaker"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.SUPERADMIN],
        order=52,
    ),
]
