"""Form fields for NIK, KK and phone numbers, sharing the rules (and messages) of the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.identity.nik import FEMALE, MALE, KkResult, NikResult, kk_parse, nik_parse
from prakerja.identity.phones import MAX_INPUT_LENGTH, phone_normalise

# Room for the spaces and dots people type between digit groups.
NUMBER_MAX_LENGTH = 64
_NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}


class _IdentityNumberField(forms.CharField):
    """A 16-digit identity number cleaned by ``parse``; hard errors only (warnings are the
    form's business)."""

    default_label: Any = ""

    @staticmethod
    def parse(value: str) -> NikResult | KkResult:
        raise NotImplementedError

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", NUMBER_MAX_LENGTH)
        kwargs.setdefault("label", self.default_label)
        super().__init__(**kwargs)
        self.widget.attrs.update(_NUMBER_ATTRS)

    def clean(self, value: Any) -> str:
        cleaned: str = super().clean(value)
        if cleaned in self.empty_values:
            return cleaned
        result = self.parse(cleaned)
        if result.errors:
            first = result.errors[0]
            raise forms.ValidationError(str(first.message), code=first.code)
        return result.value


class NikField(_IdentityNumberField):
    """A NIK, cleaned to its 16 digits."""

    default_label = _("NIK")
    parse = staticmethod(nik_parse)


class KkField(_IdentityNumberField):
    """A family-card (KK) number, cleaned to its 16 digits."""

    default_label = _("Nomor KK")
    parse = staticmethod(kk_parse)


class PhoneField(forms.CharField):
    """An Indonesian mobile number, cleaned to E.164 (``+62…``)."""

    widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_INPUT_LENGTH)
        kwargs.setdefault("label", _("Nomor HP"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        cleaned: str = super().clean(value)
        if cleaned in self.empty_values:
            return cleaned
        try:
            return phone_normalise(cleaned)
        except ApplicationError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None


class NikCheckForm(forms.Form):
    """The public "Cek NIK" page: every error and warning is shown, not only the first."""

    nik = forms.CharField(label=_("NIK"), max_length=NUMBER_MAX_LENGTH)
    birth_date = forms.DateField(label=_("Tanggal lahir (opsional)"), required=False)
    gender = forms.ChoiceField(
        label=_("Jenis kelamin (opsional)"),
        required=False,
        choices=[("", "—"), (MALE, _("Laki-laki")), (FEMALE, _("Perempuan"))],
    )

    result: NikResult | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        nik = cleaned.get("nik")
        if nik:
            # A stated birth date that failed to parse is simply not compared.
            self.result = nik_parse(
                nik,
                stated_birth_date=cleaned.get("birth_date"),
                stated_gender=cleaned.get("gender") or None,
            )
        return cleaned
