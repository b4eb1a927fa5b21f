"""Review decisions on proposed links: accept, reject, unlink (each with its audit row)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.linkage.errors import LinkageError
from prakerja.linkage.models import (
    Link,
)
from prakerja.linkage.selectors import (
    link_get_for_actor,
)
from prakerja.registry.models import Registration


def _decide(
    *, actor: Actor, link_id: int, to: Link.Status, allowed: Sequence[str], reason: str
) -> Link:
    actor_require(actor, Capability.LABOUR_DATA_IMPORT)
    reason = reason.strip()
    if to != Link.Status.ACCEPTED and not reason:
        raise ApplicationError(
            LinkageError.LINKAGE_REASON_REQUIRED, _("Tuliskan alasannya."), field="reason"
        )
    with transaction.atomic():
        link = link_get_for_actor(actor=actor, link_id=link_id, for_update=True)
        if link.status not in allowed:
            raise ApplicationError(
                LinkageError.LINKAGE_ALREADY_DECIDED,
                _("Pasangan ini sudah diputuskan; muat ulang halaman."),
                status=409,
            )
        if (
            to == Link.Status.ACCEPTED
            and Link.objects.filter(worker_id=link.worker_id, status__in=Link.ACTIVE)
            .exclude(pk=link.pk)
            .exists()
        ):
            raise ApplicationError(
                LinkageError.LINKAGE_WORKER_ALREADY_LINKED,
                _("Pekerja ini sudah tertaut ke pendaftar lain."),
                status=409,
            )
        link.status = to
        link.decided_by = actor if isinstance(actor, User) else None
        link.decided_at = timezone.now()
        link.reason = reason[:300]
        audit_as(link, actor=actor, reason=f"linkage: {to}")
        link.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        registration = Registration.objects.select_for_update().get(pk=link.registration_id)
        flag = Link.objects.filter(registration_id=registration.pk, status__in=Link.ACTIVE).exists()
        if registration.reported_by_disnaker != flag:
            registration.reported_by_disnaker = flag
            audit_as(registration, actor=actor, reason="linkage: dilaporkan Disnaker")
            registration.save(update_fields=["reported_by_disnaker", "updated_at"])
    return link


def link_accept(*, actor: Actor, link_id: int, reason: str = "") -> Link:
    return _decide(
        actor=actor,
        link_id=link_id,
        to=Link.Status.ACCEPTED,
        allowed=[Link.Status.PENDING],
        reason=reason,
    )


def link_reject(*, actor: Actor, link_id: int, reason: str) -> Link:
    return _decide(
        actor=actor,
        link_id=link_id,
        to=Link.Status.REJECTED,
        allowed=[Link.Status.PENDING],
        reason=reason,
    )


def link_unlink(*, actor: Actor, link_id: int, reason: str) -> Link:
    """Undo an automatic or accepted link (the registrant's flag clears if nothing else
    links them)."""
    return _decide(
        actor=actor,
        link_id=link_id,
        to=Link.Status.UNLINKED,
        allowed=list(Link.ACTIVE),
        reason=reason,
    )
