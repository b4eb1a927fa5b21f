from __future__ import annotations

from typing import Any

from allauth.account.fields import PhoneField
from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.identity.phones import phone_normalise


class IndonesianPhoneField(PhoneField):
    """allauth's phone field, reading the forms people type (``0812…``, ``62812…``,
    ``+62 812-…``) into E.164 so each number maps to one account.

    allauth's own field only accepts ``+<digits>`` and answers in English about country
    codes; every allauth phone form (sign-in, sign-up, change number) gets this one through
    ``AccountAdapter.phone_form_field``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": "0812 3456 7890",
                }
            ),
        )
        kwargs["label"] = _("Nomor HP")
        # phone_normalise does the whole check; allauth's E.164 regex would refuse "0812…".
        kwargs["validators"] = []
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = forms.CharField.clean(self, value)
        if not value:
            return value
        try:
            return phone_normalise(value)
        except ApplicationError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None
