"""The programme manager's changes to the eligibility rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.audit import audit_as
from prakerja.core.errors import PermissionDenied
from prakerja.registry.errors import RegistryErrorCode, StepInvalid
from prakerja.registry.forms import EligibilityRuleForm
from prakerja.registry.models import (
    EligibilityRule,
)


@transaction.atomic
def eligibility_rule_update(
    *,
    actor: Actor,
    rule: EligibilityRule,
    parameter: Mapping[str, Any],
    reason: str,
    is_active: bool,
) -> EligibilityRule:
    """Change a rule's parameter, reason or activity. Programme manager or superadmin."""
    if actor_role(actor) not in {Role.MANAGER, Role.SUPERADMIN}:
        raise PermissionDenied(
            RegistryErrorCode.RULE_FORBIDDEN,
            _("Hanya pengelola program yang dapat mengubah aturan kelayakan."),
        )
    form = EligibilityRuleForm({**parameter, "reason": reason}, rule=rule)
    errors = form.step_errors()
    if errors:
        raise StepInvalid(errors)
    rule.parameter = form.cleaned_data["parameter"]
    rule.reason = form.cleaned_data["reason"]
    rule.is_active = is_active
    audit_as(rule, actor=actor, reason="aturan diubah")
    rule.save(update_fields=["parameter", "reason", "is_active"])
    return rule
