"""allauth adapters: staff sign in with username, password and TOTP; applicants with their
phone number and a one-time SMS code (allauth's phone support, wired to our User.phone and
our SMS backend here)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts import messages as sms_texts
from prakerja.accounts import ratelimits
from prakerja.accounts.fields import IndonesianPhoneField
from prakerja.accounts.models import Role, User
from prakerja.accounts.session_users import account_write_keeps_copy
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.core.randomness import random_string
from prakerja.core.rowsql import update_with_history
from prakerja.identity import crypto
from prakerja.identity.phones import phone_mask, phone_normalise
from prakerja.notifications.services import sms_send_on_commit

logger = logging.getLogger(__name__)

# The registry of encrypted columns (identity.crypto) knows this prefix to rotate these values.
_FERNET_PREFIX = crypto.MFA_PREFIX
_USERNAME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# allauth's sign-in steps that the project replaces with its own (prakerja.accounts.stages).
_LOGIN_STAGES = {
    "allauth.account.stages.PhoneVerificationStage": (
        "prakerja.accounts.stages.ApplicantPhoneVerificationStage"
    ),
    "allauth.account.stages.EmailVerificationStage": (
        "prakerja.accounts.stages.SignInEmailVerificationStage"
    ),
}


def applicant_username_draw() -> str:
    """A generated sign-in name, not checked: the unique index on ``UPPER(username)`` refuses
    one already taken (31**10 names: a repeat is once in about 10**8 sign-ups at 1,000,000
    accounts)."""
    return f"hp-{random_string(10, _USERNAME_ALPHABET)}"


def applicant_username_generate() -> str:
    """A sign-in name nobody types: applicants sign in with their phone, and the number
    must not become the username (it changes, and usernames show up in logs and URLs)."""
    # ``User.objects.filter(username__iexact=…).exists()`` as one hand-written statement, the
    # same comparison as the ORM's (on PostgreSQL ``UPPER("username"::text) = UPPER(%s)``, the
    # expression its index serves): every new applicant runs it.
    ops = connection.ops
    column = ops.lookup_cast("iexact", "CharField") % ops.quote_name("username")
    sql = (
        f"SELECT 1 FROM {ops.quote_name(User._meta.db_table)} "  # noqa: S608
        f"WHERE {column} {connection.operators['iexact'] % '%s'} LIMIT 1"  # type: ignore[attr-defined]
    )
    while True:
        username = applicant_username_draw()
        with connection.cursor() as cursor:
            cursor.execute(sql, [ops.prep_for_iexact_query(username)])
            if cursor.fetchone() is None:
                return username


def _signing_in(request: HttpRequest | None, user: User) -> bool:
    """Whether a phone verification is part of signing this applicant in: nobody is signed in
    on the request yet, and the account is an active applicant's without a password (whose
    sign-in has no second step after the code; an inactive one is refused after it)."""
    signed_in = getattr(request, "user", None)
    return (
        signed_in is not None
        and not signed_in.is_authenticated
        and user.is_active
        and user.role == Role.APPLICANT
        and not user.has_usable_password()
    )


def user_display(user: AbstractBaseUser) -> str:
    """How allauth names the account to its owner ("Berhasil masuk sebagai …"): an applicant
    by their phone number, masked as everywhere else (their generated username, ``hp-…``,
    means nothing to them); staff by their username."""
    phone = getattr(user, "phone", None)
    if phone and getattr(user, "role", None) == Role.APPLICANT:
        return phone_mask(str(phone))
    return str(user.get_username())


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # An applicant signs in to register or to see how it goes: straight into the wizard
        # (or their status, which the entry page redirects to), not a page of links.
        if getattr(request.user, "role", None) == Role.APPLICANT:
            return reverse("registry:entry")
        return super().get_login_redirect_url(request)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Sign-up asks for nothing but a phone number (ACCOUNT_SIGNUP_FIELDS) and always
        # makes an applicant; staff accounts are created by a superadmin (services).
        return (
            bool(settings.ACCOUNT_PHONE_SIGNUP_OPEN) and "phone" in account_settings.SIGNUP_FIELDS
        )

    def populate_username(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        if not getattr(user, "username", ""):
            user.username = applicant_username_generate()  # type: ignore[attr-defined]

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        user.role = Role.APPLICANT  # type: ignore[attr-defined]
        return super().save_user(request, user, form, commit=commit)

    def get_login_stages(self) -> list[str]:
        return [_LOGIN_STAGES.get(stage, stage) for stage in super().get_login_stages()]

    # --- Phone numbers: allauth reads and writes them through these -----------------------

    def phone_form_field(self, **kwargs: Any) -> Any:
        return IndonesianPhoneField(**kwargs)

    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        assert isinstance(user, User)
        user.phone = phone  # type: ignore[assignment]
        user.phone_verified_at = timezone.now() if verified else None
        user.save(update_fields=["phone", "phone_verified_at"])

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        phone = getattr(user, "phone", None)
        if not phone:
            return None
        return str(phone), getattr(user, "phone_verified_at", None) is not None

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        assert isinstance(user, User)
        if str(user.phone) != phone or user.phone_verified_at is not None:
            return
        user.phone_verified_at = timezone.now()
        fields = ["phone_verified_at"]
        if _signing_in(self.request, user):
            # The code that verifies the number signs the applicant in (allauth's login by
            # code; an applicant account has no second factor to ask for): the sign-in's
            # ``last_login`` goes into this UPDATE, and ``apps.last_login_stamp`` skips its own.
            user.last_login = user.phone_verified_at
            user._last_login_stamped = True  # type: ignore[attr-defined]
            fields.append("last_login")
            # allauth read ``user`` for this page (``Login.deserialize``) and this UPDATE
            # writes exactly what changed since: kept as the account's copy, so the first
            # page after the sign-in does not read the row back (``session_users``).
            account_write_keeps_copy(user)
        audit_as(user, actor=user, reason="nomor HP terverifikasi dengan kode SMS")
        # The UPDATE and its history row in one statement, as a draft's save (core.rowsql).
        update_with_history(user, fields)

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        try:
            phone = phone_normalise(phone)
        except ApplicationError:
            return None
        return User.objects.filter(phone=phone).first()

    # --- SMS: after commit, through SMS_BACKEND -----------------------------------------

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        # "Kirim ulang" on the code pages sends again without a new code request, so the
        # per-number limit on requests alone would let one number get 3 SMS per request.
        # Over this cap the page still says "sent" (allauth cannot show an error here
        # without a 500), and nothing goes out.
        request = context.request
        if request is not None and not ratelimits.consume(request, action="sms_code", key=phone):
            logger.warning("sms code cap reached", extra={"recipient": phone_mask(phone)})
            return
        sms_send_on_commit(to=phone, body=sms_texts.sign_in_code(code))

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        sms_send_on_commit(to=phone, body=sms_texts.unknown_account())

    def send_account_already_exists_sms(self, phone: str) -> None:
        sms_send_on_commit(to=phone, body=sms_texts.account_exists())

    # --- Staff: axes is the lockout of record ------------------------------------------

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        # allauth hands the sign-in name to the backends as "username"; axes reads it from
        # AXES_USERNAME_FORM_FIELD ("login"). Without this copy axes stored every failure
        # with no username and its username+address lockout never matched anyone.
        # Lower-cased because sign-in names match case-insensitively: "Ani", "ANI" and "ani"
        # must count against one lockout, not three.
        field = settings.AXES_USERNAME_FORM_FIELD
        if field not in credentials:
            login = credentials.get("username") or credentials.get("email") or ""
            credentials[field] = login.strip().lower()
        return super().authenticate(request, **credentials)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Axes is the lockout of record (AXES_FAILURE_LIMIT, cool-off, admin reset). allauth's
        # own failed-login limiter would otherwise answer first, with a different message and
        # without ever asking axes, so a locked-out user never saw the lockout page.
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)


class MFAAdapter(DefaultMFAAdapter):
    """Keeps TOTP secrets encrypted at rest with the personal-data Fernet keys.

    allauth stores the secret as given by ``encrypt``; the default stores it in clear text,
    which would let anyone with a database dump mint staff codes. Values written before this
    adapter was configured have no prefix and are read as they are.
    """

    def encrypt(self, text: str) -> str:
        return _FERNET_PREFIX + crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if encrypted_text.startswith(_FERNET_PREFIX):
            return crypto.decrypt(encrypted_text.removeprefix(_FERNET_PREFIX))
        return encrypted_text

    def is_mfa_enabled(self, user: Any, types: Any = None) -> bool:
        """allauth's answer (an authenticator of the user, of one of ``types`` if given) in
        one hand-written statement: every sign-in asks it, an applicant's too (issue 17)."""
        if user.is_anonymous:
            return False
        # Known from the account's cached copy (``session_users``: a new account has none,
        # and adding or removing one voids the copy).
        known = user.__dict__.get("_authenticator_types")
        if known is not None:
            return bool(known) if types is None else bool(known & {str(k) for k in types})
        table = Authenticator._meta.db_table
        sql = f"SELECT 1 FROM {table} WHERE user_id = %s"  # noqa: S608 - the model's table
        params: list[Any] = [user.pk]
        if types is not None:
            kinds = [str(kind) for kind in types]
            if not kinds:
                return False
            sql += f" AND type IN ({', '.join(['%s'] * len(kinds))})"
            params += kinds
        with connection.cursor() as cursor:
            cursor.execute(sql + " LIMIT 1", params)
            return cursor.fetchone() is not None
