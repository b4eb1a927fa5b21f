"""The date input (GOV.UK Design System's pattern): three fields, day, month by its name and
year, instead of the browser's date picker, which is hard to use for a birth date decades
back on a phone and shows a format (mm/dd/yyyy) people do not write.

``DateInputWidget`` renders (and reads back) the three parts as ``<name>_day``,
``<name>_month`` and ``<name>_year``; ``DateInputField`` turns them into a ``date`` with one
specific message per mistake ("… harus mencakup bulan", "Tahun harus terdiri dari 4 angka").
It also takes the whole date as one string (``YYYY-MM-DD`` or ``DD-MM-YYYY``), so an API
sending JSON and a page posting the three fields share one field and its messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MONTHS: list[tuple[int, str | Promise]] = [
    (1, _("Januari")),
    (2, _("Februari")),
    (3, _("Maret")),
    (4, _("April")),
    (5, _("Mei")),
    (6, _("Juni")),
    (7, _("Juli")),
    (8, _("Agustus")),
    (9, _("September")),
    (10, _("Oktober")),
    (11, _("November")),
    (12, _("Desember")),
]
PARTS = ("day", "month", "year")
_PART_NAMES = {"day": _("hari"), "month": _("bulan"), "year": _("tahun")}
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_DMY_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", re.ASCII)


def date_parts(value: Any) -> dict[str, str]:
    """``{"day", "month", "year"}`` as the inputs show them, from a date, an ISO string or
    the parts a person typed (kept as typed, so a refused form loses nothing)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and (match := _ISO_DATE.fullmatch(value.strip())):
        try:
            value = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            value = None
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 3:
        return {part: str(text or "") for part, text in zip(PARTS, value, strict=True)}
    return dict.fromkeys(PARTS, "")


class DateInputWidget(forms.MultiWidget):
    """Day and year as numeric text inputs, the month as a ``<select>`` of its names."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "autocomplete": "off"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**numeric, "maxlength": "2", "size": "2"}),
            "month": forms.Select(choices=[("", _("— pilih —")), *MONTHS]),
            "year": forms.TextInput(attrs={**numeric, "maxlength": "4", "size": "4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        parts = date_parts(value)
        return [parts[part] for part in PARTS]

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        # The whole date under its own name (an API, an older form): taken as it is.
        if name in data:
            return data[name]
        return [data.get(f"{name}_{part}", "") for part in PARTS]

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in PARTS)


class DateInputField(forms.MultiValueField):
    """A date from its three parts (or one string), with messages naming ``subject``
    ("Tanggal lahir harus mencakup bulan"). ``codes`` gives the stable error code of
    ``required``, ``invalid`` (any part missing or wrong) and ``future``."""

    widget = DateInputWidget

    def __init__(
        self,
        *,
        subject: str | Promise,
        codes: Mapping[str, str],
        required_message: str | Promise | None = None,
        future_message: str | Promise | None = None,
        **kwargs: Any,
    ) -> None:
        self.subject, self.codes = subject, codes
        self.required_message = required_message
        self.future_message = future_message
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, required=False, require_all_fields=False, **kwargs)

    def _error(self, kind: str, message: str | Promise) -> ValidationError:
        return ValidationError(message, code=self.codes[kind])  # type: ignore[arg-type]

    def _wrong(self) -> ValidationError:
        return self._error(
            "invalid",
            format_lazy(_("{subject} harus berupa tanggal yang benar."), subject=self.subject),
        )

    def clean(self, value: Any) -> date | None:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            value = self._from_text(value)
        elif isinstance(value, Sequence) and len(value) == 3:
            value = self._from_parts([str(part or "").strip() for part in value])
        elif value is not None and not isinstance(value, date):
            raise self._wrong()
        if value is None:
            if self.required_message is not None:
                raise self._error("required", self.required_message)
            return None
        if self.future_message is not None and value > timezone.localdate():
            raise self._error("future", self.future_message)
        return value

    def _from_text(self, text: str) -> date | None:
        text = text.strip()
        if not text:
            return None
        if len(text) <= 10 and (match := _ISO_DATE.fullmatch(text)):
            return self._date(match[1], match[2], match[3])
        if len(text) <= 10 and (match := _DMY_DATE.fullmatch(text)):
            return self._date(match[3], match[2], match[1])
        raise self._wrong()

    def _from_parts(self, parts: list[str]) -> date | None:
        day, month, year = (part[:8] for part in parts)
        if not (day or month or year):
            return None
        missing = [
            str(_PART_NAMES[part]) for part, text in zip(PARTS, parts, strict=True) if not text
        ]
        if missing:
            raise self._error(
                "invalid",
                format_lazy(
                    _("{subject} harus mencakup {parts}."),
                    subject=self.subject,
                    parts=format_lazy(
                        _("{first} dan {second}"), first=missing[0], second=missing[1]
                    )
                    if len(missing) == 2
                    else missing[0],
                ),
            )
        if not (day.isascii() and day.isdigit() and month.isascii() and month.isdigit()):
            raise self._wrong()
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise self._error("invalid", _("Tahun harus terdiri dari 4 angka, misalnya 1990."))
        return self._date(year, month, day)

    def _date(self, year: str, month: str, day: str) -> date:
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise self._wrong() from None
        if value.year < 1900:
            raise self._wrong()
        return value

    def compress(self, data_list: Any) -> Any:  # the work is done in clean()
        return data_list
