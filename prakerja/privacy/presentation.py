"""The personal-data document as people read it: Indonesian dates, Ya/Tidak, messages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from prakerja.privacy.selectors import PersonalDataDocument


@dataclass(frozen=True)
class DisplaySection:
    key: str
    title: str
    records: list[list[tuple[str, str]]]


def display_value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y H.i") + " WIB"
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, datetime.time):
        return time_format(value, "H.i")
    if isinstance(value, list):
        return "; ".join(display_value(element) for element in value)
    if isinstance(value, dict):
        # Reasons and warnings are stored as {"code", "message"}: the message is the text.
        if "message" in value:
            return str(value["message"])
        return ", ".join(f"{k}: {display_value(v)}" for k, v in value.items())
    return str(value)


def document_display(document: PersonalDataDocument) -> dict[str, Any]:
    return {
        "reference": document.reference,
        "generated_at": display_value(document.generated_at),
        "sections": [
            DisplaySection(
                key=section.key,
                title=section.title,
                records=[
                    [(item.label, display_value(item.value)) for item in record]
                    for record in section.records
                ],
            )
            for section in document.sections
        ],
    }
