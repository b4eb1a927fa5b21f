"""Provider and course pages in each role's menu (see prakerja.core.menu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.core.menu import item

ITEMS = [
    item(
        "training:catalogue",
        _("Katalog pelatihan"),
        _("Katalog pelatihan"),
        roles=[Role.APPLICANT],
        order=13,
    ),
    item(
        "providers:mine",
        _("Lembaga saya"),
        _("Lembaga saya: data, kapasitas, dokumen, verifikasi"),
        roles=[Role.PROVIDER],
        primary_for=[Role.PROVIDER],
        order=10,
    ),
    item(
        "training:operator_courses",
        _("Pelatihan lembaga"),
        _("Pelatihan dan angkatan lembaga, kelulusan peserta"),
        roles=[Role.PROVIDER],
        primary_for=[Role.PROVIDER],
        order=11,
    ),
    item(
        "providers:queue",
        _("Verifikasi lembaga"),
        _("Verifikasi lembaga pelatihan"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.SUPERADMIN],
        order=50,
    ),
    item(
        "training:curation_queue",
        _("Kurasi pelatihan"),
        _("Kurasi pelatihan"),
        roles=[Role.DATA_OFFICER, Role.MANAGER, Role.SUPERADMIN],
        order=51,
    ),
]
