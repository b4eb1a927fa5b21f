"""Forms of the applicant booking pages and the officer queue page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.assistance.services import WALK_IN_NAME_MAX_LENGTH
from prakerja.identity.forms import PhoneField

# Primary keys are 64-bit; a bigger number is a typo or a probe and must not reach the database.
MAX_ID = 2**63 - 1


class BookingForm(forms.Form):
    date = forms.DateField(
        label=_("Tanggal"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Pilih tanggal kunjungan."),
            "invalid": _("Tanggal tidak valid."),
        },
    )
    slot = forms.IntegerField(
        label=_("Jam"),
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": _("Pilih jam kunjungan."),
            "invalid": _("Pilih jam kunjungan."),
            "min_value": _("Pilih jam kunjungan."),
            "max_value": _("Pilih jam kunjungan."),
        },
    )


class DateChoiceForm(forms.Form):
    """The date of the booking page (GET), before a slot is chosen."""

    date = forms.DateField(
        label=_("Tanggal"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Tanggal tidak valid.")},
    )


class WalkInForm(forms.Form):
    name = forms.CharField(
        label=_("Nama (opsional)"), max_length=WALK_IN_NAME_MAX_LENGTH, required=False
    )
    phone = PhoneField(label=_("Nomor HP (opsional)"), required=False)
