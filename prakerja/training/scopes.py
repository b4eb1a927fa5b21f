"""Which training providers an actor may see. Lives with ``Provider`` (not in
``accounts.scopes``) so that accounts, a lower layer, never imports a domain app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import (
    PROVINCE_WIDE_ROLES,
    Actor,
    Capability,
    actor_require,
    actor_role,
    scope_bound,
    scope_denied,
)
from prakerja.core.errors import NotFound
from prakerja.training.errors_providers import ProviderError
from prakerja.training.models import Provider

# --- Training providers -----------------------------------------------------------------


def provider_list_for_actor(*, actor: Actor | None) -> QuerySet[Provider]:
    """Providers the actor may see: an operator their own institution, the programme
    manager, viewers and the superadmin all of them."""
    role = actor_role(actor)
    if role == Role.PROVIDER:
        assert isinstance(actor, User)
        return Provider.objects.filter(pk=scope_bound(actor.provider_id))
    if role in PROVINCE_WIDE_ROLES:
        return Provider.objects.all()
    raise scope_denied(ProviderError.FORBIDDEN)


def provider_get_for_actor(*, actor: Actor | None, provider_id: int) -> Provider:
    providers = provider_list_for_actor(actor=actor)
    try:
        return providers.get(pk=provider_id)
    except Provider.DoesNotExist:
        pass
    if Provider.objects.filter(pk=provider_id).exists():
        raise scope_denied(ProviderError.FORBIDDEN)
    raise NotFound(ProviderError.NOT_FOUND, _("Lembaga pelatihan tidak ditemukan."))


def verifier_check(actor: Actor | None, *, regency_id: str, denied_code: str) -> None:
    """Who verifies providers and curates courses in ``regency_id``: a Disnaker data officer
    of that regency or of the whole province, a manager, the superadmin."""
    actor_require(actor, Capability.PROVIDER_VERIFY)
    role = actor_role(actor)
    if role in PROVINCE_WIDE_ROLES:
        return
    assert isinstance(actor, User)
    if role == Role.DATA_OFFICER and actor.regency_id in (None, regency_id):
        return
    raise scope_denied(denied_code)
