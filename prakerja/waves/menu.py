"""Wave pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "waves:wave_list",
        _("Gelombang"),
        _("Gelombang, kuota, dan seleksi"),
        roles=[Role.MANAGER, Role.SUPERADMIN],
        primary_for=[Role.MANAGER],
        order=20,
    ),
]
