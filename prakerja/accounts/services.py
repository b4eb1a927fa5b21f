"""Writes on accounts: creating staff and checking that a role fits its binding.

Applicants get their account from the registry (phone sign-up or a posko officer); every
staff account is created here by a superadmin, so that the binding rules and the audit row
(``simple_history``, with the superadmin as ``history_user``) live in one place.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import ADMIN_ROLES, STAFF_ROLES, Role, User
from prakerja.assistance.models import Post
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.training.models import Provider


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
            "account.post_required",
            _("Petugas pendamping wajib terikat pada satu posko."),
            field="post",
        )
    if role == Role.PROVIDER and provider is None:
        raise ApplicationError(
            "account.provider_required",
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
                "account.binding_not_allowed",
                _("Peran ini tidak dapat terikat pada posko, kabupaten/kota, atau lembaga."),
                field=field,
            )
    if regency is not None and regency.province_id != EAST_JAVA:
        raise ApplicationError(
            "account.regency_outside_province",
            _("Kabupaten/kota harus berada di Provinsi Jawa Timur."),
            field="regency",
        )


def _actor_require_superadmin(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.SUPERADMIN and actor.is_superuser):
        raise PermissionDenied(
            "account.forbidden", _("Hanya superadmin yang dapat membuat akun petugas.")
        )


def _staff_role(role: Role | str) -> Role:
    try:
        staff_role = Role(role)
    except ValueError:
        staff_role = None
    if staff_role not in STAFF_ROLES:
        raise ApplicationError(
            "account.role_not_staff",
            _("Peran tidak dikenal atau bukan peran petugas."),
            field="role",
        )
    assert staff_role is not None
    return staff_role


def _username_taken() -> ApplicationError:
    return ApplicationError(
        "account.username_taken", _("Nama pengguna sudah dipakai."), field="username"
    )


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
            "account.username_invalid",
            _("Nama pengguna hanya boleh berisi huruf, angka, dan tanda @ . + - _."),
            field="username",
        ) from None
    if not full_name:
        raise ApplicationError(
            "account.full_name_required", _("Nama lengkap wajib diisi."), field="full_name"
        )
    user_binding_check(role=staff_role, post=post, regency=regency, provider=provider)
    # Case-insensitive: allauth finds "Petugas" and "petugas" as the same sign-in name.
    if User.objects.filter(username__iexact=username).exists():
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
            "account.password_weak", " ".join(error.messages), field="password"
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
        if User.objects.filter(username__iexact=username).exists():
            raise _username_taken() from None
        raise
    return user
