"""Call-centre pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "callcenter:console",
        _("Konsol call center"),
        _("Konsol call center: cari penelepon dan catat panggilan"),
        roles=[Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN],
        primary_for=[Role.CALLCENTRE],
        order=40,
    ),
    item(
        "callcenter:ticket_list",
        _("Tiket pengaduan"),
        _("Tiket pengaduan"),
        roles=[Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN],
        primary_for=[Role.CALLCENTRE],
        order=41,
    ),
]
