"""Checks every registry write shares: who may edit, and one NIK registers once."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Actor, Capability, actor_can, actor_role
from prakerja.core.errors import PermissionDenied
from prakerja.identity.models import Person
from prakerja.identity.selectors import person_find_by_nik
from prakerja.identity.services import person_release
from prakerja.registry.errors import RegistryErrorCode, nik_taken
from prakerja.registry.models import (
    Registration,
)
from prakerja.registry.selectors import (
    registration_get_for_actor,
)


def require_editor(actor: Actor | None, registration: Registration) -> None:
    """The owner, an officer of the assisting post, the call centre or the superadmin may
    change a registration; the programme manager reads it but does not fill it in."""
    # The same scope as reading it first (NotFound/PermissionDenied with the same codes).
    registration_get_for_actor(actor=actor, reference=registration.reference)
    require_editor_role(actor)


def require_editor_role(actor: Actor | None) -> None:
    """The role half of ``require_editor``, for a caller that has already checked the scope
    while fetching the registration."""
    role = actor_role(actor)
    if role == Role.APPLICANT or actor_can(actor, Capability.APPLICANT_REGISTER_ON_BEHALF):
        return
    raise PermissionDenied(
        RegistryErrorCode.FORBIDDEN, _("Anda tidak berhak mengubah pendaftaran ini.")
    )


def nik_free_for(registration: Registration, *, nik: str) -> Person | None:
    """The person of ``nik`` if any; raises ``registration.nik_taken`` when another
    registration of this programme already has that NIK (one NIK registers once)."""
    existing = person_find_by_nik(nik=nik)
    if existing is not None:
        person_free_for(registration, existing)
    return existing


def person_free_for(registration: Registration, person: Person) -> None:
    """Raises ``registration.nik_taken`` when another registration of this programme already
    has this person (one NIK registers once)."""
    if (
        Registration.objects.filter(programme_id=registration.programme_id, person=person)
        .exclude(pk=registration.pk)
        .exists()
    ):
        raise nik_taken()


def person_given_up(actor: Actor, person_id: int | None, *, kept: int | None) -> None:
    """A draft changed its NIK: the person of the old one goes unless something else holds
    it. A ``Person`` exists only for a NIK some record keeps, not for every NIK ever tried."""
    if person_id is not None and person_id != kept:
        person_release(actor=actor, person_id=person_id, reason="NIK diganti pada draf pendaftaran")
