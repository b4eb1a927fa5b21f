"""Parsing of the manager's wave form: the wave's own fields and one quota per regency.

Parsing only: whether the quotas add up, whether waves overlap and so on is decided by the
services (``prakerja.waves.services``), whose message the page shows next to the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from prakerja.regions.models import Regency

QUOTA_PREFIX = "quota_"
# Far above East Java's 543,000: a typo of a few extra digits is refused, not stored.
MAX_QUOTA = 10_000_000
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class WaveForm(forms.Form):
    name = forms.CharField(
        label=_("Nama gelombang"),
        max_length=100,
        error_messages={"required": _("Isi nama gelombang.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Pendaftaran dibuka (WIB)"),
        input_formats=DATETIME_INPUT_FORMATS,
        error_messages={
            "required": _("Isi waktu pendaftaran dibuka."),
            "invalid": _("Tulis waktu sebagai tanggal dan jam, mis. 2020-04-11 08:00."),
        },
    )
    closes_at = forms.DateTimeField(
        label=_("Pendaftaran ditutup (WIB)"),
        input_formats=DATETIME_INPUT_FORMATS,
        error_messages={
            "required": _("Isi waktu pendaftaran ditutup."),
            "invalid": _("Tulis waktu sebagai tanggal dan jam, mis. 2020-04-17 23:59."),
        },
    )
    total_quota = forms.IntegerField(
        label=_("Kuota total"),
        min_value=1,
        max_value=MAX_QUOTA,
        error_messages={
            "required": _("Isi kuota total."),
            "invalid": _("Kuota total harus berupa bilangan bulat."),
            "min_value": _("Kuota total minimal 1."),
            "max_value": _("Kuota total terlalu besar."),
        },
    )

    def errors_by_field(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}


def quota_values(post: QueryDict, regencies: Iterable[Regency]) -> dict[str, str]:
    """What was typed for each regency, as typed (kept when the form comes back with errors)."""
    return {r.code: post.get(f"{QUOTA_PREFIX}{r.code}", "").strip() for r in regencies}


def quota_parse(values: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """``({regency_code: quota}, {regency_code: error})``; an empty input counts as 0."""
    quotas: dict[str, int] = {}
    errors: dict[str, str] = {}
    for code, raw in values.items():
        cleaned = raw.replace(".", "").replace(" ", "")  # "12.500" as Indonesians write it
        if cleaned == "":
            quotas[code] = 0
            continue
        if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 8:
            errors[code] = str(_("Kuota harus berupa bilangan bulat 0 atau lebih."))
            continue
        value = int(cleaned)
        if value > MAX_QUOTA:
            errors[code] = str(_("Kuota terlalu besar."))
            continue
        quotas[code] = value
    return quotas, errors


def quota_sum(values: dict[str, str]) -> int:
    """Sum of the inputs that parse; the running sum under the table."""
    quotas, _errors = quota_parse(values)
    return sum(quotas.values())


def initial_values(wave: Any | None) -> dict[str, Any]:
    if wave is None:
        return {}
    return {
        "name": wave.name,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "total_quota": wave.total_quota,
    }
