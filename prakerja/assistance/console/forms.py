from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

SERVICE_CHOICES = [
    ("registration", _("Pendaftaran")),
    ("email_help", _("Bantuan email")),
    ("document_help", _("Bantuan dokumen")),
    ("status_check", _("Cek status")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("NIK, nomor HP, atau nomor pendaftaran"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class RegisterForm(forms.Form):
    phone = forms.CharField(
        label=_("Nomor HP pendaftar"),
        max_length=64,
        help_text=_("Kode masuk dikirim ke nomor ini; akun menjadi milik pendaftar."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    nik = forms.CharField(
        label=_("NIK (boleh dikosongkan)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class VisitForm(forms.Form):
    services = forms.MultipleChoiceField(
        label=_("Layanan yang diberikan"),
        choices=SERVICE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih minimal satu layanan yang diberikan.")},
    )
    reference = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class HandoverForm(forms.Form):
    method = forms.ChoiceField(
        choices=[("sms", _("Kirim kode masuk lewat SMS")), ("print", _("Cetak kode sekali pakai"))]
    )
