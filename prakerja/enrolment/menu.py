"""Training pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "enrolment:my_training",
        _("Pelatihan saya"),
        _("Pelatihan saya: saldo dan pendaftaran pelatihan"),
        roles=[Role.APPLICANT],
        primary_for=[Role.APPLICANT],
        order=11,
    ),
    item(
        "training_console:training_report",
        _("Laporan pelatihan"),
        _("Pelatihan per wilayah dan lembaga"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.VIEWER, Role.SUPERADMIN],
        order=72,
    ),
]
