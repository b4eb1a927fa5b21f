"""Registry pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "registry:entry",
        _("Pendaftaran saya"),
        _("Pendaftaran Kartu Prakerja saya: isi, lanjutkan, atau lihat statusnya"),
        roles=[Role.APPLICANT],
        primary_for=[Role.APPLICANT],
        order=10,
    ),
    item(
        "registry:rule_list",
        _("Aturan kelayakan"),
        _("Aturan kelayakan pendaftar"),
        roles=[Role.MANAGER, Role.SUPERADMIN],
        order=60,
    ),
]
