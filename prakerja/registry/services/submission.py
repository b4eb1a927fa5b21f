"""Submitting a registration: eligibility decided and the receipt enqueued."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import Actor
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.core.rowsql import update_with_history
from prakerja.core.units import service_atomic
from prakerja.registry.eligibility import (
    family_card_place,
    int_parameter,
    kk_cap_reason,
    kk_cap_rule,
    reasons_except_kk_cap,
)
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import (
    Registration,
)
from prakerja.registry.selectors import (
    eligibility_rules_active,
    registration_get_for_actor,
    registration_missing_steps,
)
from prakerja.registry.services.common import require_editor_role
from prakerja.registry.services.receipt import registration_receipt_enqueue


def registration_submit(*, actor: Actor, registration: Registration) -> Registration:
    """Submit a complete draft: evaluate the rules and record submitted or ineligible with
    every reason. Idempotent: an already submitted registration is returned unchanged."""
    return registration_submit_by_reference(actor=actor, reference=registration.reference)


@service_atomic
def registration_submit_by_reference(*, actor: Actor, reference: str) -> Registration:
    """``registration_submit`` for a caller that has only the reference (the API): the
    registration is fetched once, scope-checked and locked in the same query."""
    # The row lock makes a double click or a retried request wait here, then find the
    # registration already submitted: it is counted against its family card once.
    locked = registration_get_for_actor(actor=actor, reference=reference, for_update=True)
    require_editor_role(actor)
    if locked.status != Registration.Status.DRAFT:
        return locked
    missing = registration_missing_steps(locked)
    if missing:
        raise ApplicationError(
            RegistryErrorCode.INCOMPLETE,
            format_lazy(
                _("Pendaftaran belum lengkap. Lengkapi dulu: {steps}."),
                steps=", ".join(str(step.label) for step in missing),
            ),
        )
    rules = eligibility_rules_active(programme_id=locked.programme_id)
    reasons = reasons_except_kk_cap(locked, rules, timezone.localdate())
    kk_rule = kk_cap_rule(rules)
    # Every submitted registration of a family card is counted, also while the cap rule is
    # off (so switching it on later finds true counts); an ineligible one takes no place but
    # still hears that the card is full. No programme-wide lock: see family_card_place.
    if locked.kk_index and not family_card_place(
        programme_id=locked.programme_id,
        kk_index=locked.kk_index,
        cap=int_parameter(kk_rule, "max", 2) if kk_rule is not None else None,
        take=not reasons,
    ):
        assert kk_rule is not None
        reasons.append(kk_cap_reason(kk_rule))
    locked.status = Registration.Status.INELIGIBLE if reasons else Registration.Status.SUBMITTED
    locked.ineligibility_reasons = [reason.as_dict() for reason in reasons]
    locked.submitted_at = timezone.now()
    audit_as(locked, actor=actor, reason="pendaftaran dikirim")
    # save(update_fields=…) + its history row, without the ORM's query building: this is the
    # statement of a registration surge (core.rowsql; Registration has no other receivers).
    update_with_history(locked, ["status", "ineligibility_reasons", "submitted_at", "updated_at"])
    registration_receipt_enqueue(registration=locked, eligible=not reasons)
    return locked
