"""Account pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "notifications:outbox",
        _("Kotak keluar"),
        _("Kotak keluar SMS dan email"),
        roles=[Role.SUPERADMIN],
        primary_for=[Role.SUPERADMIN],
        order=90,
    ),
]
