"""Forms of the call-centre console: parse and bound every field; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.assistance.models import CallCentreLine, Post
from prakerja.callcenter.models import CallLog, Ticket
from prakerja.callcenter.services import NOTES_MAX_LENGTH
from prakerja.identity.forms import PhoneField

REFERENCE_MAX_LENGTH = 32
MAX_ID = 2**63 - 1


class ReferenceField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", REFERENCE_MAX_LENGTH)
        kwargs.setdefault("label", _("Nomor pendaftaran"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class LookupForm(forms.Form):
    ref = ReferenceField()


class CallLogForm(forms.Form):
    line = forms.ModelChoiceField(
        label=_("Saluran"), queryset=CallCentreLine.objects.filter(is_active=True), empty_label=None
    )
    category = forms.ChoiceField(label=_("Kategori"), choices=CallLog.Category.choices)
    reference = ReferenceField(label=_("Nomor pendaftaran (bila diketahui)"), required=False)
    caller_phone = PhoneField(label=_("Nomor penelepon (opsional)"), required=False)
    outcome = forms.ChoiceField(label=_("Hasil"), choices=CallLog.Outcome.choices)
    notes = forms.CharField(
        label=_("Catatan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTES_MAX_LENGTH,
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    owner = forms.ModelChoiceField(
        label=_("Penanggung jawab"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Belum ada penanggung jawab"),
    )
    due_date = forms.DateField(
        label=_("Batas waktu"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Catatan tindak lanjut"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTES_MAX_LENGTH,
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = owners


class RecoveryForm(forms.Form):
    phone = PhoneField(label=_("Nomor HP penelepon"))


class CallBookingForm(forms.Form):
    """A visit for a caller: by their registration reference, or, for a caller who has not
    registered yet (``baru``), by the phone number the booking SMS goes to."""

    ref = ReferenceField(required=False)
    baru = forms.BooleanField(required=False)
    phone = PhoneField(label=_("Nomor HP penelepon"), required=False)
    posko = forms.ModelChoiceField(
        label=_("Posko"),
        queryset=Post.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("Pilih posko"),
        error_messages={"invalid_choice": _("Pilih posko dari daftar.")},
    )
    date = forms.DateField(label=_("Tanggal"), input_formats=["%Y-%m-%d"])
    slot = forms.IntegerField(
        label=_("Jam"),
        min_value=1,
        max_value=MAX_ID,
        error_messages={"required": _("Pilih jam kunjungan.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("ref") and not cleaned.get("baru") and "ref" not in self.errors:
            self.add_error(
                "ref",
                _(
                    "Isi nomor pendaftaran penelepon, atau centang “belum mendaftar” bila "
                    "penelepon belum punya."
                ),
            )
        return cleaned
