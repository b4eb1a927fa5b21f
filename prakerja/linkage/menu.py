"""Linkage pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "linkage:index",
        _("Pencocokan"),
        _("Pencocokan data, penjangkauan, dan kasus JPS"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.SUPERADMIN],
        primary_for=[Role.DATA_OFFICER, Role.MANAGER],
        order=30,
    ),
    item(
        "linkage:jps_monitoring",
        _("Pemantauan JPS"),
        _("Pemantauan kasus penerima JPS"),
        roles=[Role.VIEWER],
        order=74,
    ),
]
