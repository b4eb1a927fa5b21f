"""Demo accounts: one per role, with a known password and a known TOTP secret.

Only for ``PRAKERJA_ENV=demo``: the password and the secrets are public (they are derived
from the username by the code below), so anywhere else they would be an open door.
``demo_accounts_ensure()`` is idempotent, so ``make run`` can call it on every start.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.services import user_create_staff
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import Post
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Regency
from prakerja.training.models import Provider

# Public on purpose: printed by `demo_accounts_print`; refused outside PRAKERJA_ENV=demo.
DEMO_PASSWORD = "Prakerja-demo-2026"  # noqa: S105
DEMO_POST_CODE = "disnaker-3578"
DEMO_PROVIDER_NAME = "LPK Demo Surabaya"
SURABAYA = "3578"


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: Role
    full_name: str
    regency_code: str | None = None


DEMO_ACCOUNT_SPECS: tuple[DemoAccountSpec, ...] = (
    DemoAccountSpec("pendaftar", Role.APPLICANT, "Pendaftar Demo"),
    DemoAccountSpec("petugas", Role.OFFICER, "Petugas Posko Disnaker Surabaya"),
    DemoAccountSpec("callcenter", Role.CALLCENTRE, "Agen Call Center Demo"),
    DemoAccountSpec("datajatim", Role.DATA_OFFICER, "Petugas Data Disnakertrans Jatim"),
    DemoAccountSpec("datasby", Role.DATA_OFFICER, "Petugas Data Disnaker Surabaya", SURABAYA),
    DemoAccountSpec("manajer", Role.MANAGER, "Pengelola Program Demo"),
    DemoAccountSpec("manajer2", Role.MANAGER, "Pengelola Program Demo Kedua"),
    DemoAccountSpec("lpk", Role.PROVIDER, "Operator LPK Demo Surabaya"),
    DemoAccountSpec("pemantau", Role.VIEWER, "Pemantau Demo"),
    DemoAccountSpec("bendahara", Role.TREASURY, "Petugas Perbendaharaan Demo"),
    DemoAccountSpec("bendahara2", Role.TREASURY, "Petugas Perbendaharaan Demo Kedua"),
    DemoAccountSpec("admin", Role.SUPERADMIN, "Superadmin Demo"),
)
DEMO_USERNAMES = tuple(spec.username for spec in DEMO_ACCOUNT_SPECS)


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    username: str
    password: str
    # None for the applicant, who signs in without TOTP.
    totp_secret: str | None
    created: bool


def demo_totp_secret(username: str) -> str:
    """A stable base32 TOTP secret for a demo username (public by design, demo only)."""
    digest = hashlib.sha256(f"prakerja-demo-totp:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def demo_require_demo_env() -> None:
    if settings.PRAKERJA_ENV != "demo":
        raise ApplicationError(
            AssistanceError.DEMO_NOT_DEMO_ENV,
            _("Akun demo hanya tersedia bila PRAKERJA_ENV=demo."),
        )


def _demo_provider() -> Provider:
    provider = Provider.objects.filter(name=DEMO_PROVIDER_NAME, regency_id=SURABAYA).first()
    if provider is None:
        provider = Provider(
            name=DEMO_PROVIDER_NAME,
            kind=Provider.Kind.LPK,
            regency=Regency.objects.get(pk=SURABAYA),
        )
        audit_as(provider, actor=None, reason="data demo")
        provider.save()
    return provider


def _demo_post() -> Post:
    post = Post.objects.filter(code=DEMO_POST_CODE).first()
    if post is None:
        raise ApplicationError(
            AssistanceError.DEMO_POST_MISSING,
            _(
                "Posko demo 'disnaker-3578' (Disnaker Kota Surabaya) belum ada: muat data "
                "posko dahulu (`manage.py assistance_posts_load`)."
            ),
        )
    return post


def _totp_secret_stored(user: User) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    return decrypt(authenticator.data["secret"])


def _check_existing(user: User, spec: DemoAccountSpec) -> None:
    if user.role != spec.role:
        raise ApplicationError(
            AssistanceError.DEMO_ACCOUNT_CONFLICT,
            _("Nama pengguna demo %(username)s sudah dipakai akun dengan peran lain.")
            % {"username": user.username},
        )


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create the demo accounts that are missing; leave existing ones as they are.

    Staff accounts get TOTP with ``demo_totp_secret(username)`` unless they already have an
    authenticator (then the stored secret is reported, so the printed codes stay right).
    """
    demo_require_demo_env()
    post = _demo_post()
    provider = _demo_provider()
    existing = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}

    admin_spec = next(spec for spec in DEMO_ACCOUNT_SPECS if spec.role == Role.SUPERADMIN)
    admin = existing.get(admin_spec.username)
    admin_created = admin is None
    if admin is not None:
        _check_existing(admin, admin_spec)
    else:
        # The first superadmin cannot be created by a superadmin; every other staff
        # account below goes through the service with this one as the actor.
        admin = User.objects.create_superuser(
            admin_spec.username, password=DEMO_PASSWORD, full_name=admin_spec.full_name
        )

    accounts = []
    for spec in DEMO_ACCOUNT_SPECS:
        user = existing.get(spec.username)
        created = user is None
        if spec.role == Role.SUPERADMIN:
            user, created = admin, admin_created
        if user is not None:
            _check_existing(user, spec)
        elif spec.role == Role.APPLICANT:
            user = User.objects.create_user(
                spec.username, password=DEMO_PASSWORD, full_name=spec.full_name
            )
        else:
            user = user_create_staff(
                actor=admin,
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                full_name=spec.full_name,
                post=post if spec.role == Role.OFFICER else None,
                regency=Regency.objects.get(pk=spec.regency_code) if spec.regency_code else None,
                provider=provider if spec.role == Role.PROVIDER else None,
            )

        secret = None
        if spec.role != Role.APPLICANT:
            secret = _totp_secret_stored(user)
            if secret is None:
                secret = demo_totp_secret(spec.username)
                TOTP.activate(user, secret)
                created = True
        accounts.append(
            DemoAccount(
                role=spec.role,
                username=spec.username,
                password=DEMO_PASSWORD,
                totp_secret=secret,
                created=created,
            )
        )
    return accounts


def demo_accounts_list() -> list[DemoAccount]:
    """The demo accounts that exist now, in the order of ``DEMO_ACCOUNT_SPECS``."""
    demo_require_demo_env()
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    return [
        DemoAccount(
            role=spec.role,
            username=spec.username,
            password=DEMO_PASSWORD,
            totp_secret=_totp_secret_stored(users[spec.username]),
            created=False,
        )
        for spec in DEMO_ACCOUNT_SPECS
        if spec.username in users
    ]
