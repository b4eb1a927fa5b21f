from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.registry.models import Registration

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
    phone_owner = forms.ChoiceField(
        label=_("Nomor HP siapa yang dipakai?"),
        choices=Registration.PhoneOwner.choices,
        initial=Registration.PhoneOwner.SELF,
        widget=forms.RadioSelect,
        # Left out (an older page, a script): the applicant's own number, as before.
        required=False,
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=64,
        required=False,
        help_text=_(
            "Milik pendaftar: kode masuk dikirim ke nomor ini dan akun menjadi miliknya. "
            "Milik keluarga: kabar pendaftaran dikirim ke sana, dan pendaftar masuk dengan "
            "kode yang dicetak. Tidak ada: kosongkan."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    nik = forms.CharField(
        label=_("NIK (wajib bila tidak memakai nomor HP sendiri)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_phone_owner(self) -> str:
        return self.cleaned_data["phone_owner"] or Registration.PhoneOwner.SELF


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
