"""Parsing what people type into a step (the helpers the step handlers share)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.identity.nik import Issue
from prakerja.registry.errors import RegistryErrorCode, StepInvalid

# Upper bound on any text a person types into one field; longer input is refused before it
# reaches a parser or the database.
MAX_TEXT_INPUT = 300
REFERENCE_ATTEMPTS = 8
# Control characters (NUL included) never belong in a name or an address; PostgreSQL refuses
# NUL in text outright, so letting one through would turn a typo into a server error.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_DMY_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", re.ASCII)
_TRUE = {"1", "true", "on", "yes", "ya", "y"}
_FALSE = {"0", "false", "off", "no", "tidak", "t", "n"}


class _Errors:
    def __init__(self) -> None:
        self.items: list[ApplicationError] = []

    def add(self, code: str, message: str | Promise, field: str) -> None:
        # One message per field is enough: the second is usually a consequence of the first.
        if not any(error.field == field for error in self.items):
            self.items.append(ApplicationError(code, message, field=field))

    def add_issue(self, issue: Issue, field: str) -> None:
        self.add(issue.code, issue.message, field)

    def raise_if_any(self) -> None:
        if self.items:
            raise StepInvalid(self.items)


def _text(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    max_length: int,
    required: tuple[str, str | Promise] | None = None,
) -> str:
    """A one-line text: whitespace collapsed, control characters refused, length capped."""
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(RegistryErrorCode.TEXT_INVALID, _("Isian harus berupa teks."), name)
        return ""
    if _CONTROL_CHARS.search(value):
        errors.add(
            RegistryErrorCode.TEXT_INVALID,
            _("Isian mengandung karakter yang tidak diizinkan."),
            name,
        )
        return ""
    value = " ".join(value.split())
    if len(value) > max_length:
        errors.add(
            RegistryErrorCode.TOO_LONG,
            format_lazy(_("Isian terlalu panjang: paling banyak {n} karakter."), n=max_length),
            name,
        )
        return ""
    if not value and required is not None:
        errors.add(required[0], required[1], name)
    return value


def _date(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    invalid: tuple[str, str | Promise],
    required: tuple[str, str | Promise] | None = None,
    future: tuple[str, str | Promise],
) -> date | None:
    """A date as ``YYYY-MM-DD`` (what ``<input type=date>`` sends) or ``DD-MM-YYYY``."""
    value = data.get(name)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            value = None
        elif len(text) > 10:
            value = "invalid"
        elif match := _ISO_DATE.fullmatch(text):
            value = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _DMY_DATE.fullmatch(text):
            value = _safe_date(int(match[3]), int(match[2]), int(match[1]))
        else:
            value = "invalid"
    if value is None:
        if required is not None:
            errors.add(required[0], required[1], name)
        return None
    if not isinstance(value, date) or value.year < 1900:
        errors.add(invalid[0], invalid[1], name)
        return None
    if value > timezone.localdate():
        errors.add(future[0], future[1], name)
        return None
    return value


def _safe_date(year: int, month: int, day: int) -> date | str:
    try:
        return date(year, month, day)
    except ValueError:
        return "invalid"


def _bool(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    required: tuple[str, str | Promise] | None = None,
) -> bool | None:
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    if value is None or value == "":
        if required is not None:
            errors.add(required[0], required[1], name)
            return None
        return False
    errors.add(RegistryErrorCode.CHOICE_INVALID, _("Pilihan tidak dikenal."), name)
    return None


def _choice(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    choices: type[Any],
    *,
    required: tuple[str, str | Promise] | None = None,
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required is not None:
            errors.add(required[0], required[1], name)
        return ""
    if not isinstance(value, str) or value not in choices.values:
        errors.add(
            RegistryErrorCode.CHOICE_INVALID, _("Pilihan tidak dikenal. Pilih dari daftar."), name
        )
        return ""
    return value
