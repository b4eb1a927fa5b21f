"""Who may see what: the scope of each role, for every app to reuse.

Views and services never fetch a post or a provider with a bare ``.objects.get()``; they ask
``post_get_for_actor(actor=request.user, post_id=...)``, which both finds the row and checks
that it lies in the actor's scope (SPEC §4: an officer sees their post, a data officer their
regency or the province, a provider operator their institution).

Semantics shared by every ``*_get_for_actor``:

* an actor whose role has no access to the kind of thing at all (an applicant asking for a
  post) gets ``PermissionDenied`` before anything is looked up, so that probing ids reveals
  nothing;
* an id that exists but lies outside the actor's scope gets ``PermissionDenied``;
* an id that does not exist gets ``NotFound``.

``actor_can`` answers the coarser question "may this role do X at all"; the table of
capabilities per role is data, in one place, for later apps to extend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.errors import AccountsError
from prakerja.accounts.models import STAFF_ROLES, Role, User
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA

Actor: TypeAlias = User | AnonymousUser

# Roles that see every post, regency or provider of the province, read-only or not.
PROVINCE_WIDE_ROLES = frozenset({Role.MANAGER, Role.VIEWER, Role.SUPERADMIN})


def actor_role(actor: Actor | None) -> Role | None:
    """The actor's role, or None for anonymous visitors and deactivated accounts."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    assert isinstance(actor, User)
    return Role(actor.role)


def scope_bound(binding_id: int | None) -> int:
    # The database guarantees the binding for these roles (check constraints on User).
    assert binding_id is not None
    return binding_id


def scope_denied(code: str) -> PermissionDenied:
    return PermissionDenied(code, _("Anda tidak berhak mengakses data ini."))


# --- Capabilities -----------------------------------------------------------------------


class Capability(models.TextChoices):
    """Things a role may do at all. Scope (which post, which regency) is checked separately."""

    APPLICANT_REGISTER_ON_BEHALF = "applicant.register_on_behalf", _("Mendaftarkan atas nama")
    APPLICANT_LOOKUP = "applicant.lookup", _("Mencari data pendaftar")
    PERSONAL_DATA_REVEAL = "personal_data.reveal", _("Membuka NIK/KK tanpa sensor")
    POST_QUEUE_RUN = "post.queue_run", _("Menjalankan antrean dan janji temu posko")
    CALL_LOG = "call.log", _("Mencatat panggilan call center")
    COMPLAINT_OPEN = "complaint.open", _("Membuka tiket pengaduan")
    LABOUR_DATA_IMPORT = "labourdata.import", _("Mengimpor data pekerja terdampak")
    LABOUR_DATA_EXPORT = "labourdata.export", _("Mengekspor daftar penjangkauan")
    WAVE_MANAGE = "wave.manage", _("Mengatur gelombang dan kuota")
    SELECTION_APPROVE = "selection.approve", _("Menyetujui hasil seleksi")
    PROVIDER_MANAGE_OWN = "provider.manage_own", _("Mengelola lembaga pelatihan sendiri")
    PROVIDER_VERIFY = "provider.verify", _("Memverifikasi lembaga pelatihan")
    REPORT_VIEW = "report.view", _("Melihat dasbor dan laporan")
    OUTBOX_VIEW = "outbox.view", _("Melihat kotak keluar SMS dan email")
    ACCOUNT_MANAGE = "account.manage", _("Mengelola akun petugas")
    PAYMENT_MANAGE = "payment.manage", _("Menyusun dan merekonsiliasi batch pembayaran")
    FRAUD_REVIEW = "fraud.review", _("Meninjau sinyal kecurangan dan kesalahan")


C = Capability
ROLE_CAPABILITIES: Mapping[Role, frozenset[Capability]] = {
    Role.APPLICANT: frozenset(),
    Role.OFFICER: frozenset(
        {
            C.APPLICANT_REGISTER_ON_BEHALF,
            C.APPLICANT_LOOKUP,
            C.PERSONAL_DATA_REVEAL,
            C.POST_QUEUE_RUN,
            C.OUTBOX_VIEW,
        }
    ),
    Role.CALLCENTRE: frozenset(
        {
            C.APPLICANT_REGISTER_ON_BEHALF,
            C.APPLICANT_LOOKUP,
            C.PERSONAL_DATA_REVEAL,
            C.CALL_LOG,
            C.COMPLAINT_OPEN,
            C.OUTBOX_VIEW,
        }
    ),
    Role.DATA_OFFICER: frozenset(
        {
            C.LABOUR_DATA_IMPORT,
            C.LABOUR_DATA_EXPORT,
            C.PROVIDER_VERIFY,
            C.REPORT_VIEW,
            C.OUTBOX_VIEW,
        }
    ),
    Role.MANAGER: frozenset(
        {
            C.APPLICANT_LOOKUP,
            C.PERSONAL_DATA_REVEAL,
            C.WAVE_MANAGE,
            C.SELECTION_APPROVE,
            C.PROVIDER_VERIFY,
            C.REPORT_VIEW,
            C.OUTBOX_VIEW,
            C.FRAUD_REVIEW,
        }
    ),
    Role.PROVIDER: frozenset({C.PROVIDER_MANAGE_OWN}),
    # Province-wide: a treasury officer is bound to no post, regency or provider.
    Role.TREASURY: frozenset({C.PAYMENT_MANAGE, C.REPORT_VIEW, C.FRAUD_REVIEW}),
    Role.VIEWER: frozenset({C.REPORT_VIEW}),
    Role.SUPERADMIN: frozenset(Capability),
}
del C


def actor_can(actor: Actor | None, capability: Capability) -> bool:
    role = actor_role(actor)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def actor_require(actor: Actor | None, capability: Capability) -> None:
    """Raise ``PermissionDenied`` unless the actor's role has ``capability``."""
    if not actor_can(actor, capability):
        raise scope_denied(AccountsError.ACCOUNT_CAPABILITY_MISSING)


# --- Regencies --------------------------------------------------------------------------


def regency_list_for_actor(*, actor: Actor | None) -> QuerySet[Regency]:
    """East Java regencies the actor may see data for: a regency data officer their regency,
    an officer the regency of their post, province-wide staff all 38."""
    role = actor_role(actor)
    east_java = Regency.objects.filter(province_id=EAST_JAVA)
    if role == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        if actor.regency_id is not None:
            return east_java.filter(pk=actor.regency_id)
        return east_java
    if role == Role.OFFICER:
        assert isinstance(actor, User)
        return east_java.filter(posts__pk=scope_bound(actor.post_id))
    if role in PROVINCE_WIDE_ROLES or role == Role.CALLCENTRE:
        return east_java
    raise scope_denied(AccountsError.REGENCY_FORBIDDEN)


def regency_get_for_actor(*, actor: Actor | None, regency_code: str) -> Regency:
    regencies = regency_list_for_actor(actor=actor)
    try:
        return regencies.get(pk=regency_code)
    except Regency.DoesNotExist:
        pass
    if Regency.objects.filter(pk=regency_code).exists():
        raise scope_denied(AccountsError.REGENCY_FORBIDDEN)
    raise NotFound(AccountsError.REGENCY_NOT_FOUND, _("Kabupaten/kota tidak ditemukan."))


def actor_is_staff(actor: Actor | None) -> bool:
    return actor_role(actor) in STAFF_ROLES
