from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm, RequestLoginCodeForm
from allauth.core import context, ratelimit
from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.fields import IndonesianPhoneField
from prakerja.accounts.models import Role
from prakerja.core.errors import ApplicationError


class StaffLoginForm(LoginForm):
    """Username and password, for staff (TOTP follows as allauth's next stage).

    With phone among the login methods allauth would turn the field into "username or
    phone", and with no password on the sign-up form it would drop the password field
    altogether. Staff sign in by name; applicants sign in by phone on their own page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("Nama pengguna"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        )
        self.order_fields(["login", "password"])

    def _setup_password_field(self) -> None:
        # Keep it: allauth removes the password when sign-up asks for none (phone only).
        pass

    def user_credentials(self) -> dict[str, Any]:
        return {
            "username": self.cleaned_data["login"],
            "password": self.cleaned_data.get("password", ""),
        }


class PhoneLoginCodeForm(RequestLoginCodeForm):
    """ "Masuk atau daftar dengan nomor HP": one field, one code, for new and known numbers.

    A number with an applicant account gets a sign-in code. A number without one gets a new
    applicant account and the same code, so a first-time applicant needs no separate sign-up
    step and the page answers identically either way (nobody learns who is registered).
    Entering the code proves the phone (allauth marks it verified).

    The account is created here, while validating, because allauth's view starts the code
    process straight from ``form._user``; creating it is idempotent and is exactly what
    allauth's own sign-up does before the phone is verified. A staff number is treated like
    an unknown one: staff sign in with password and TOTP, never with an SMS code.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        self.fields["phone"] = IndonesianPhoneField(required=True)

    def clean_phone(self) -> str:
        from prakerja.accounts.services import applicant_get_or_create_by_phone

        phone: str = self.cleaned_data["phone"]
        adapter = get_adapter()
        request = context.request
        # Before any lookup or write: a refused request must cost us nothing.
        if not ratelimit.consume(request, action="request_login_code", key=phone):
            raise forms.ValidationError(
                _("Terlalu banyak permintaan kode. Tunggu beberapa menit, lalu coba lagi."),
                code="too_many_code_requests",
            )
        user = adapter.get_user_by_phone(phone)
        if user is not None and getattr(user, "role", None) != Role.APPLICANT:
            user = None
        elif user is None and adapter.is_open_for_signup(request):
            try:
                user, _created = applicant_get_or_create_by_phone(phone=phone)
            except ApplicationError:
                # Lost a race to a staff account for the number: answer as for unknown.
                user = None
        self._user = user
        return phone


class AccessCodeSignInForm(forms.Form):
    phone = IndonesianPhoneField(required=True)
    code = forms.CharField(
        label=_("Kode akses"),
        max_length=20,
        help_text=_("8 huruf dan angka dari kertas atau SMS petugas, misalnya ACDE-7KMN."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX",
            }
        ),
    )


class PhoneChangeForm(forms.Form):
    """Officer or call-centre agent: move an applicant to a new phone number after checking
    their identity (``services.applicant_phone_change``). Texts only; the service checks them."""

    nik = forms.CharField(
        label=_("NIK pendaftar (dari KTP)"),
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    full_name = forms.CharField(label=_("Nama lengkap sesuai KTP"), max_length=150)
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        help_text=_("Tanggal-bulan-tahun, mis. 17-08-1990."),
        error_messages={"invalid": _("Tulis tanggal lahir seperti 17-08-1990.")},
    )
    new_phone = forms.CharField(
        label=_("Nomor HP baru"),
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Kode akses dikirim ke nomor ini; nomor lama diberi tahu lewat SMS."),
    )
