from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm, RequestLoginCodeForm
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import ratelimits
from prakerja.accounts.fields import IndonesianPhoneField
from prakerja.accounts.lockout import second_factor_credentials, second_factor_login
from prakerja.accounts.models import Role
from prakerja.accounts.services import sign_in_name_compact
from prakerja.core.errors import ApplicationError
from prakerja.identity.phones import phone_normalise


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
        from prakerja.accounts.session_users import account_copy_offer_new

        phone: str = self.cleaned_data["phone"]
        adapter = get_adapter()
        request = context.request
        # Before any lookup or write: a refused request must cost us nothing.
        if not ratelimits.consume(request, action="request_login_code", key=phone):
            raise forms.ValidationError(
                _("Terlalu banyak permintaan kode. Tunggu beberapa menit, lalu coba lagi."),
                code="too_many_code_requests",
            )
        user: Any
        if adapter.is_open_for_signup(request):
            # One lookup: the applicant's account, created when there is none.
            try:
                user, created = applicant_get_or_create_by_phone(phone=phone)
                if created:
                    # Read by the code's pages from the cache, not the database.
                    account_copy_offer_new(user)
            except ApplicationError:
                # A staff number (or a race lost to one): answered as an unknown number.
                user = None
        else:
            user = adapter.get_user_by_phone(phone)
            if user is not None and getattr(user, "role", None) != Role.APPLICANT:
                user = None
        self._user = user
        return phone


class AccessCodeSignInForm(forms.Form):
    # A phone number, or the registration reference printed for someone without a phone.
    phone = forms.CharField(
        label=_("Nomor HP atau nomor pendaftaran"),
        max_length=32,
        help_text=_(
            "Tidak punya HP sendiri? Tulis nomor pendaftaran dari kertas, mis. PJ-ABCD-2345."
        ),
        error_messages={"required": _("Tulis nomor HP Anda atau nomor pendaftaran dari kertas.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        try:
            return phone_normalise(text)
        except ApplicationError:
            # Not a number: a reference, compared in its compact form (see the service).
            return sign_in_name_compact(text)

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
    their identity (``registry.phone_change.applicant_phone_change``). Texts only; the service
    checks them."""

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


class AccountLockedTotpMixin:
    """Counts every wrong second-factor code against the account, on every TOTP form.

    allauth's own check counts wrong codes against the *address* (its ``login_failed``
    limit): five officers behind one post's address shared one budget, and the password
    holder could keep guessing for ever from new addresses. Here every wrong code counts
    against the account in axes (``prakerja.accounts.lockout``); after ``AXES_FAILURE_LIMIT``
    the account is locked, the right code included, until the cool-off ends or an admin
    resets it. Nobody else at that address is affected. The same budget serves the sign-in
    step and the re-authentication page, so a second form is no way around it.
    """

    user: Any
    cleaned_data: dict[str, Any]
    authenticator: Authenticator

    def clean_code(self) -> str:
        request = context.request
        credentials = second_factor_credentials(self.user)
        if not AxesProxyHandler.is_allowed(request, credentials):
            # AxesMiddleware answers with the lockout page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            raise forms.ValidationError(
                _("Akun dikunci sementara karena terlalu banyak kode verifikasi yang salah."),
                code="locked",
            )
        code = self.cleaned_data["code"]
        main: Authenticator | None = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                AxesProxyHandler.reset_attempts(username=second_factor_login(self.user))
                return code
        if main is not None:
            # allauth's form supplies it (the re-authentication one flags itself as such).
            self._emit_authentication_failed(main)  # type: ignore[attr-defined]
        # axes records the failure (and locks the account at the limit) on this signal.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise get_mfa_adapter().validation_error("incorrect_code")


class StaffTotpAuthenticateForm(AccountLockedTotpMixin, AuthenticateForm):  # type: ignore[misc]
    """allauth's second-factor step (``MFA_FORMS["authenticate"]``), locked per account."""


class StaffTotpReauthenticateForm(AccountLockedTotpMixin, ReauthenticateForm):  # type: ignore[misc]
    """allauth's re-authentication page (``MFA_FORMS["reauthenticate"]``), same lock."""
