"""The fields of the step forms (``registry.forms``): what a person types, parsed as the
wizard and the API both need it. Each error carries its stable code (``RegistryErrorCode``)
as the ``ValidationError`` code; a missing value raises the field's own code, never Django's
generic "required"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.identity.nik import Issue
from prakerja.registry.errors import RegistryErrorCode as Code

# Control characters (NUL included) never belong in a name or an address; PostgreSQL refuses
# NUL in text outright, so letting one through would turn a typo into a server error.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"1", "true", "on", "yes", "ya", "y"}
_FALSE = {"0", "false", "off", "no", "tidak", "t", "n"}

Required = tuple[str, str | Promise]


def coded_error(code: str, message: str | Promise) -> ValidationError:
    return ValidationError(message, code=code)  # type: ignore[arg-type]


def issue_error(issue: Issue) -> ValidationError:
    return coded_error(issue.code, issue.message)


# ---------------------------------------------------------------------------------


class _StepField(forms.Field):
    """Never Django's own "required": a missing value raises the field's own code."""

    def __init__(self, *, required_error: Required | None = None, **kwargs: Any) -> None:
        self.required_error = required_error
        super().__init__(required=False, **kwargs)

    def missing(self, empty: Any) -> Any:
        if self.required_error is not None:
            raise coded_error(*self.required_error)
        return empty


class TextField(_StepField):
    """A one-line text: whitespace collapsed, control characters refused, length capped."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise coded_error(Code.TEXT_INVALID, _("Isian harus berupa teks."))
        if _CONTROL_CHARS.search(value):
            raise coded_error(
                Code.TEXT_INVALID, _("Isian mengandung karakter yang tidak diizinkan.")
            )
        value = " ".join(value.split())
        if len(value) > self.max_length:
            raise coded_error(
                Code.TOO_LONG,
                format_lazy(
                    _("Isian terlalu panjang: paling banyak {n} karakter."), n=self.max_length
                ),
            )
        return value or self.missing("")


class YesNoField(_StepField):
    """Yes or no, from a JSON bool or what a form posts (``on``, ``ya``, ``tidak``, …);
    missing means no unless the field is required."""

    def clean(self, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return True
        if isinstance(value, str) and value.strip().lower() in _FALSE:
            return False
        if value is None or value == "":
            return self.missing(False)  # type: ignore[no-any-return]
        raise coded_error(Code.CHOICE_INVALID, _("Pilihan tidak dikenal."))


class ChoiceCodeField(_StepField):
    """One of the codes of ``choices`` (a ``TextChoices``); "" when left empty."""

    def __init__(self, choices: type[TextChoices], **kwargs: Any) -> None:
        self.codes = frozenset(choices.values)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        if value is None or value == "":
            return self.missing("")  # type: ignore[no-any-return]
        if not isinstance(value, str) or value not in self.codes:
            raise coded_error(Code.CHOICE_INVALID, _("Pilihan tidak dikenal. Pilih dari daftar."))
        return value


class RawField(forms.Field):
    """A value checked by its form's ``clean`` (or one that only names where an error goes)."""

    def __init__(self) -> None:
        super().__init__(required=False)

    def clean(self, value: Any) -> Any:
        return value


class AnswersField(forms.Field):
    def __init__(self) -> None:
        super().__init__(required=False)

    def clean(self, value: Any) -> Mapping[Any, Any]:
        if not isinstance(value, Mapping) or not value:
            raise coded_error(Code.TEST_ANSWERS_REQUIRED, _("Jawab soal tes terlebih dahulu."))
        return value
