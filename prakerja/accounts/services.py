"""Writes on accounts: staff created by a superadmin, applicant accounts by phone, and the
ways an officer or agent helps an applicant in without ever holding their credentials.

Every staff account is created here by a superadmin, so that the binding rules and the audit
row (``simple_history``, with the superadmin as ``history_user``) live in one place.
Applicants sign themselves up with a phone number (allauth, see ``adapters``) or get an
account from an officer through ``applicant_get_or_create_by_phone``.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import messages as sms_texts
from prakerja.accounts.adapters import applicant_username_draw, applicant_username_generate
from prakerja.accounts.models import (
    ADMIN_ROLES,
    STAFF_ROLES,
    AccessCode,
    AccountRecovery,
    Role,
    User,
)
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.randomness import random_string
from prakerja.core.rowsql import RowLoader, insert_with_history
from prakerja.notifications.services import sms_send_on_commit
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA

if TYPE_CHECKING:
    # Types only: ``User`` holds foreign keys to both by name, and the checks below read
    # nothing from them, so accounts does not import the domain apps at run time.
    from prakerja.assistance.models import Post
    from prakerja.training.models import Provider
from prakerja.accounts.errors import AccountsError
from prakerja.identity.phones import phone_mask, phone_normalise


def user_binding_check(
    *,
    role: Role,
    post: Post | None = None,
    regency: Regency | None = None,
    provider: Provider | None = None,
) -> None:
    """Raise ``ApplicationError`` unless the post/regency/provider binding fits ``role``.

    The database constraints on ``User`` say the same thing; this check runs first so that
    the user sees which field is wrong, in Indonesian, and it adds the one rule a check
    constraint cannot express: a data officer's regency must lie in East Java.
    """
    if role == Role.OFFICER and post is None:
        raise ApplicationError(
            AccountsError.ACCOUNT_POST_REQUIRED,
            _("Petugas pendamping wajib terikat pada satu posko."),
            field="post",
        )
    if role == Role.PROVIDER and provider is None:
        raise ApplicationError(
            AccountsError.ACCOUNT_PROVIDER_REQUIRED,
            _("Operator lembaga pelatihan wajib terikat pada satu lembaga pelatihan."),
            field="provider",
        )
    allowed = {
        Role.OFFICER: {"post"},
        Role.DATA_OFFICER: {"regency"},
        Role.PROVIDER: {"provider"},
    }.get(role, set())
    given = {"post": post, "regency": regency, "provider": provider}
    for field, value in given.items():
        if value is not None and field not in allowed:
            raise ApplicationError(
                AccountsError.ACCOUNT_BINDING_NOT_ALLOWED,
                _("Peran ini tidak dapat terikat pada posko, kabupaten/kota, atau lembaga."),
                field=field,
            )
    if regency is not None and regency.province_id != EAST_JAVA:
        raise ApplicationError(
            AccountsError.ACCOUNT_REGENCY_OUTSIDE_PROVINCE,
            _("Kabupaten/kota harus berada di Provinsi Jawa Timur."),
            field="regency",
        )


def _actor_require_superadmin(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.SUPERADMIN and actor.is_superuser):
        raise PermissionDenied(
            AccountsError.ACCOUNT_FORBIDDEN, _("Hanya superadmin yang dapat membuat akun petugas.")
        )


def _staff_role(role: Role | str) -> Role:
    try:
        staff_role = Role(role)
    except ValueError:
        staff_role = None
    if staff_role not in STAFF_ROLES:
        raise ApplicationError(
            AccountsError.ACCOUNT_ROLE_NOT_STAFF,
            _("Peran tidak dikenal atau bukan peran petugas."),
            field="role",
        )
    assert staff_role is not None
    return staff_role


def _username_taken() -> ApplicationError:
    return ApplicationError(
        AccountsError.ACCOUNT_USERNAME_TAKEN, _("Nama pengguna sudah dipakai."), field="username"
    )


def _username_held(username: str, *, other_than: User | None = None) -> bool:
    """Whether another account holds ``username`` in any case: allauth finds "Petugas" and
    "petugas" as the same sign-in name, and ``UPPER(username)`` is a unique index."""
    accounts = User.objects.filter(username__iexact=username)
    if other_than is not None:
        accounts = accounts.exclude(pk=other_than.pk)
    return accounts.exists()


@transaction.atomic
def user_create_staff(
    *,
    actor: User,
    username: str,
    password: str,
    role: Role | str,
    full_name: str,
    post: Post | None = None,
    regency: Regency | None = None,
    provider: Provider | None = None,
) -> User:
    """Create a staff account bound to the scope its role needs. Superadmin only.

    The account has no TOTP yet: the staff member sets it up at first sign-in (the
    ``StaffTwoFactorRequiredMiddleware`` sends them there before any staff page).
    """
    _actor_require_superadmin(actor)
    staff_role = _staff_role(role)
    username = username.strip()
    full_name = " ".join(full_name.split())
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ApplicationError(
            AccountsError.ACCOUNT_USERNAME_INVALID,
            _("Nama pengguna hanya boleh berisi huruf, angka, dan tanda @ . + - _."),
            field="username",
        ) from None
    if not full_name:
        raise ApplicationError(
            AccountsError.ACCOUNT_FULL_NAME_REQUIRED,
            _("Nama lengkap wajib diisi."),
            field="full_name",
        )
    user_binding_check(role=staff_role, post=post, regency=regency, provider=provider)
    if _username_held(username):
        raise _username_taken()

    user = User(
        username=username,
        full_name=full_name,
        role=staff_role,
        post=post,
        regency=regency,
        provider=provider,
        is_staff=staff_role in ADMIN_ROLES,
        is_superuser=staff_role == Role.SUPERADMIN,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(
            AccountsError.ACCOUNT_PASSWORD_WEAK, " ".join(error.messages), field="password"
        ) from None
    user.set_password(password)
    # Names the actor on the history row even outside a request (a command, a task).
    audit_as(user, actor=actor, reason="akun petugas dibuat")
    try:
        # A concurrent create of the same username passes the exists() check above; the
        # unique index decides, and the loser gets the same message instead of a 500.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if _username_held(username):
            raise _username_taken() from None
        raise
    return user


# --- Applicants: accounts by phone, handover and recovery ----------------------------------
#
# allauth signs applicants in by phone (``/accounts/login/code/``): its codes live in the
# session of the browser that asked for them, which is right for an applicant at home and
# useless for an officer handing over an account. So handover uses a one-time access code of
# our own (``AccessCode``), printed by the officer or sent by SMS, which the applicant enters
# with their number at ``/accounts/kode-akses/``; recovery only texts the number the way back
# in. Nobody but the applicant ever holds a credential.

# Without the look-alikes 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: codes are read off paper and
# read out over the phone.
ACCESS_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"
ACCESS_CODE_LENGTH = 8
ACCESS_CODE_LIFETIME = timedelta(hours=24)
# SMS an officer or agent can trigger for one number per hour: stops a careless or hostile
# console user from flooding someone's phone.
STAFF_SMS_PER_NUMBER_PER_HOUR = 5

_SIGN_IN_AIDS = frozenset({Role.OFFICER, Role.CALLCENTRE, Role.SUPERADMIN})


def actor_require_sign_in_aid(actor: User) -> None:
    if not (actor.is_active and actor.role in _SIGN_IN_AIDS):
        raise PermissionDenied(
            AccountsError.ACCOUNT_FORBIDDEN,
            _("Hanya petugas posko dan agen call center yang dapat membantu pendaftar masuk."),
        )


def account_phone_normalise(phone: str) -> str:
    return phone_normalise(phone)


def _staff_sms_quota_consume(phone: str) -> None:
    key = "accounts:staff-sms:" + hashlib.sha256(phone.encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        sent = 1
    if sent > STAFF_SMS_PER_NUMBER_PER_HOUR:
        raise ApplicationError(
            AccountsError.ACCOUNT_SMS_QUOTA,
            _("Terlalu banyak SMS ke nomor ini dalam satu jam. Coba lagi nanti."),
            field="phone",
            status=429,
        )


def phone_taken_by_staff_error() -> ApplicationError:
    return ApplicationError(
        AccountsError.ACCOUNT_PHONE_TAKEN_BY_STAFF,
        _("Nomor HP ini dipakai oleh akun petugas. Gunakan nomor HP pendaftar sendiri."),
        field="phone",
    )


_user_row = RowLoader(User)


def _concrete_field(name: str) -> Field[Any, Any]:
    field = User._meta.get_field(name)
    assert isinstance(field, Field)
    return field


# Looked up once, not on each of the sign-in code requests that read an account by phone.
_phone_field = _concrete_field("phone")


def _user_by_phone(phone: str) -> User | None:
    """``User.objects.filter(phone=…).first()`` as one hand-written statement: every code
    request at sign-in runs it (``core.rowsql``)."""
    sql = _user_row.select("u", "u.phone = %s", order="u.id ASC", limit=1)
    stored = _phone_field.get_db_prep_value(phone, connection)
    return _user_row.first(sql, [stored])  # type: ignore[return-value]


USERNAME_ATTEMPTS = 4


def applicant_get_or_create_by_phone(*, phone: str, actor: User | None = None) -> tuple[User, bool]:
    """The applicant account of ``phone`` (any typed form), created if there is none.

    A new account has a generated username, no usable password and an unverified phone: the
    applicant proves the number with an SMS code when they first sign in. ``actor`` is the
    officer or agent who typed the number (None when the applicant signs up themselves).
    Raises ``ApplicationError`` for a number that is not an Indonesian mobile, or that
    belongs to a staff account.
    """

    phone = account_phone_normalise(phone)
    for _attempt in range(USERNAME_ATTEMPTS):
        # Inserted first, looked up only when refused: at a surge most numbers asking for a
        # code are new, and their look-up found nothing (one statement fewer per sign-up; a
        # known number costs one more, a refused insert). A drawn name is not looked up
        # either: the unique index on ``UPPER(username)`` refuses a taken one, and another
        # is drawn.
        user = User(username=applicant_username_draw(), role=Role.APPLICANT, phone=phone)
        user.set_unusable_password()
        audit_as(
            user,
            actor=actor,
            reason="akun pendaftar dibuat oleh petugas" if actor else "akun pendaftar dibuat",
        )
        # The row and its history row in one statement (``core.rowsql``), or nothing when a
        # unique index already holds the number (a known number, or two first requests for
        # one number racing: double tap, retry at a posko; the index decides and the loser
        # takes the winner's row) or the drawn name. No savepoint is needed around it.
        # ``save``'s other receiver (``session_users``) voids cached copies of an existing
        # account; a new one has none.
        if insert_with_history(user):
            return user, True
        existing = _user_by_phone(phone)
        if existing is not None:
            if existing.role != Role.APPLICANT:
                raise phone_taken_by_staff_error()
            return existing, False
    raise IntegrityError(
        "accounts_user: the new applicant's row was not inserted (every drawn username taken)"
    )


def applicant_create_without_phone(*, actor: User) -> User:
    """An applicant account with no phone, for a walk-in at a posko who has none of their
    own (a relative's number, if any, goes on the registration, never on the account).

    Its holder signs in with a sign-in name and a printed one-time code
    (``applicant_access_code_redeem``); ``applicant_sign_in_name_set`` gives it the
    registration's reference as that name. Officers (and superadmins) only.
    """
    actor_require_sign_in_aid(actor)
    user = User(username=applicant_username_generate(), role=Role.APPLICANT, phone=None)
    user.set_unusable_password()
    audit_as(user, actor=actor, reason="akun pendaftar tanpa nomor HP dibuat oleh petugas")
    user.save()
    return user


SIGN_IN_NAME_MAX = 20


def sign_in_name_compact(text: str) -> str:
    """``pj-abcd 2345`` → ``PJABCD2345``: how a phone-less account's sign-in name is kept
    and compared, whatever dashes or spaces were typed."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def applicant_sign_in_name_set(*, actor: User, user: User, name: str) -> User:
    """Names a phone-less applicant account by what is printed on the person's slip (their
    registration reference), so they can sign in with it and a printed code."""
    actor_require_sign_in_aid(actor)
    if user.phone or user.role != Role.APPLICANT:
        raise ApplicationError(
            AccountsError.ACCOUNT_NOT_APPLICANT,
            _("Nama masuk hanya untuk akun pendaftar tanpa nomor HP."),
        )
    compact = sign_in_name_compact(name)
    if user.username != compact:
        # A staff account named like this reference gets a message, not a 500.
        if _username_held(compact, other_than=user):
            raise _username_taken()
        user.username = compact
        audit_as(user, actor=actor, reason="nama masuk akun tanpa nomor HP")
        user.save(update_fields=["username"])
    return user


def _access_code_generate() -> str:
    return random_string(ACCESS_CODE_LENGTH, ACCESS_CODE_ALPHABET)


def access_code_format(code: str) -> str:
    """``ACDE7KMN`` → ``ACDE-7KMN``: easier to read out and to copy from paper."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _access_code_clean(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


@transaction.atomic
def _access_code_create(*, actor: User, user: User, channel: str) -> str:
    actor_require_sign_in_aid(actor)
    if user.role != Role.APPLICANT or not user.is_active:
        raise ApplicationError(
            AccountsError.ACCOUNT_NOT_APPLICANT,
            _("Kode akses hanya untuk akun pendaftar yang aktif."),
        )
    if not user.phone and channel == AccessCode.Channel.SMS:
        raise ApplicationError(
            AccountsError.ACCOUNT_PHONE_MISSING,
            _("Akun ini belum memiliki nomor HP. Isi nomor HP pendaftar terlebih dahulu."),
            field="phone",
        )
    now = timezone.now()
    # One live code per applicant: a reprint voids the sheet that may have been left behind.
    for old in AccessCode.objects.select_for_update().filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ):
        old.voided_at = now
        audit_as(old, actor=actor, reason="diganti kode baru")
        old.save(update_fields=["voided_at"])
    code = _access_code_generate()
    access = AccessCode(
        user=user,
        code_hash=make_password(code),
        channel=channel,
        issued_by=actor,
        created_at=now,
        expires_at=now + ACCESS_CODE_LIFETIME,
    )
    audit_as(access, actor=actor, reason=f"kode akses diterbitkan ({channel})")
    access.save()
    return code


def applicant_access_code_issue(*, actor: User, user: User) -> str:
    """A one-time access code for ``user`` to print and hand over, as ``XXXX-XXXX``.

    Eight characters from an alphabet without look-alikes, valid 24 hours, single use, void
    after 5 wrong tries; only its hash is stored, so this return value is the only copy —
    print it, do not keep it. Officers, call-centre agents and superadmins only.
    """
    return access_code_format(
        _access_code_create(actor=actor, user=user, channel=AccessCode.Channel.PRINTED)
    )


@transaction.atomic
def applicant_send_sign_in_code(*, actor: User, user: User) -> None:
    """Texts the applicant a one-time access code for ``/accounts/kode-akses/`` (handover at
    a posko, or an agent helping on the phone). The officer never sees the code.

    Not an allauth login code: those belong to the browser session that asked for one, and
    here the asking browser is the officer's. Same rules as ``applicant_access_code_issue``
    (24 hours, single use, 5 tries, voids any earlier code); as the code reaches the
    applicant's phone, using it also verifies the number. Sent after commit; at most
    ``STAFF_SMS_PER_NUMBER_PER_HOUR`` staff-triggered SMS per number.
    """
    if user.phone:
        _staff_sms_quota_consume(str(user.phone))
    code = _access_code_create(actor=actor, user=user, channel=AccessCode.Channel.SMS)
    sms_send_on_commit(to=str(user.phone), body=sms_texts.access_code(access_code_format(code)))


def _access_code_refused() -> ApplicationError:
    return ApplicationError(
        AccountsError.ACCOUNT_ACCESS_CODE_INVALID,
        _(
            "Nomor HP, nomor pendaftaran, atau kode akses salah, sudah dipakai, atau sudah "
            "kedaluwarsa. Periksa "
            "kembali, atau minta kode baru kepada petugas posko atau call center."
        ),
        field="code",
    )


def _applicant_for_sign_in(sign_in: str) -> User | None:
    """The active applicant that ``sign_in`` names: a phone number, or the sign-in name
    (registration reference) of an account without a phone."""
    applicants = User.objects.filter(role=Role.APPLICANT, is_active=True)
    try:
        phone = account_phone_normalise(sign_in)
    except ApplicationError:
        compact = sign_in_name_compact(sign_in)
        if not 6 <= len(compact) <= SIGN_IN_NAME_MAX:
            return None
        return applicants.filter(username=compact, phone__isnull=True).first()
    return applicants.filter(phone=phone).first()


def applicant_access_code_redeem(*, phone: str, code: str) -> User:
    """The applicant whose live access code ``code`` is, for ``phone``; the code is used up.

    ``phone`` may also be the registration reference of an account without a phone (the
    printed slip of ``applicant_create_without_phone``). Every failure gets the same
    message, so the page does not tell a stranger whether a number has an account or a
    code. A wrong code counts against the live code of that number; the fifth wrong try
    voids it. A code sent by SMS also proves the phone.
    """
    cleaned = _access_code_clean(code)
    with transaction.atomic():
        user = _applicant_for_sign_in(phone)
        # The row lock makes "check, then mark used" one step: two devices submitting the
        # same code at once cannot both get in, and concurrent wrong tries all count.
        access = (
            AccessCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, voided_at__isnull=True)
            .order_by("-created_at")
            .first()
            if user is not None
            else None
        )
        now = timezone.now()
        if user is None or access is None or not access.is_live(now):
            # Hash anyway: the time taken must not tell whether the number has a code.
            check_password(cleaned, _dummy_hash())
            raise _access_code_refused()
        if len(cleaned) != ACCESS_CODE_LENGTH or not check_password(cleaned, access.code_hash):
            access.failed_attempts += 1
            fields = ["failed_attempts"]
            if access.failed_attempts >= AccessCode.MAX_ATTEMPTS:
                access.voided_at = now
                fields.append("voided_at")
            audit_as(access, actor=None, reason="kode akses salah")
            access.save(update_fields=fields)
            refused = _access_code_refused()
        else:
            access.used_at = now
            audit_as(access, actor=user, reason="kode akses dipakai")
            access.save(update_fields=["used_at"])
            if access.channel == AccessCode.Channel.SMS and user.phone_verified_at is None:
                user.phone_verified_at = now
                user.save(update_fields=["phone_verified_at"])
            return user
    # Raised outside the atomic block so the failed-attempt count is committed.
    raise refused


@functools.cache
def _dummy_hash() -> str:
    return make_password(_access_code_generate())


@transaction.atomic
def applicant_recovery_start(*, actor: User, phone: str) -> None:
    """Texts ``phone`` the way back into its applicant account (call centre, posko, or the
    "NIK already registered" flow).

    Returns nothing and behaves the same whether or not the number has an account: the
    caller's screen must not become a way to find out who is registered. A number without
    an applicant account gets an SMS saying so, with the sign-up link. Recorded in
    ``AccountRecovery`` in the same transaction; the SMS goes after commit.
    """

    actor_require_sign_in_aid(actor)
    phone = account_phone_normalise(phone)
    _staff_sms_quota_consume(phone)
    user = User.objects.filter(phone=phone, role=Role.APPLICANT).first()
    AccountRecovery.objects.create(requested_by=actor, user=user, phone_hint=phone_mask(phone))
    if user is not None and user.is_active:
        body = sms_texts.recovery()
    elif user is None and not User.objects.filter(phone=phone).exists():
        body = sms_texts.unknown_account()
    else:
        # A staff number or a deactivated applicant: nothing to recover by SMS.
        return
    sms_send_on_commit(to=phone, body=body)
