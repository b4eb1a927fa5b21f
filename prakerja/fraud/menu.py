"""Fraud-signal pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "fraud:list",
        _("Sinyal"),
        _("Sinyal kecurangan dan kesalahan: tinjau buktinya"),
        roles=[Role.TREASURY, Role.MANAGER, Role.SUPERADMIN],
        primary_for=[Role.TREASURY],
        order=20,
    ),
]
