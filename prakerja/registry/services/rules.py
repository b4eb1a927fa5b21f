"""The programme manager's changes to the eligibility rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.audit import audit_as
from prakerja.core.errors import PermissionDenied
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import (
    EligibilityRule,
    Occupation,
)
from prakerja.registry.services._parsing import _Errors, _text


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
    errors = _Errors()
    reason_text = _text(
        {"reason": reason},
        "reason",
        errors,
        max_length=300,
        required=(RegistryErrorCode.RULE_REASON_REQUIRED, _("Alasan wajib diisi.")),
    )
    clean: dict[str, Any] = {}
    kind = EligibilityRule.Kind(rule.kind)
    if kind in {EligibilityRule.Kind.MIN_AGE, EligibilityRule.Kind.KK_CAP}:
        key, low, high = (
            ("years", 0, 100) if kind == EligibilityRule.Kind.MIN_AGE else ("max", 1, 50)
        )
        value = parameter.get(key)
        try:
            number = int(str(value).strip()[:4])
        except ValueError:
            number = -1
        if isinstance(value, bool) or not low <= number <= high:
            errors.add(
                RegistryErrorCode.RULE_PARAMETER_INVALID,
                format_lazy(_("Isi angka antara {low} dan {high}."), low=low, high=high),
                key,
            )
        clean[key] = number
    elif kind == EligibilityRule.Kind.EXCLUDED_OCCUPATION:
        occupations = parameter.get("occupations") or []
        if not isinstance(occupations, list | tuple) or any(
            o not in Occupation.values or o == Occupation.NONE for o in occupations
        ):
            errors.add(
                RegistryErrorCode.RULE_PARAMETER_INVALID,
                _("Pilihan jabatan tidak dikenal."),
                "occupations",
            )
        else:
            clean["occupations"] = [o for o in Occupation.values if o in occupations]
    errors.raise_if_any()
    rule.parameter = clean
    rule.reason = reason_text
    rule.is_active = is_active
    audit_as(rule, actor=actor, reason="aturan diubah")
    rule.save(update_fields=["parameter", "reason", "is_active"])
    return rule
