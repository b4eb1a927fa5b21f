"""JPS review cases: opened after a JPS list import or a published selection, resolved by a
data officer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.labourdata.models import ImportBatch, Kind
from prakerja.linkage.errors import LinkageError
from prakerja.linkage.models import (
    JpsReviewCase,
)
from prakerja.linkage.selectors import (
    jps_case_get_for_actor,
)
from prakerja.registry.models import Registration


def _denied() -> PermissionDenied:
    return PermissionDenied(
        LinkageError.ACCOUNT_CAPABILITY_MISSING, _("Anda tidak berhak mengakses data ini.")
    )


def _chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _assignee_for(regency_id: str | None, load: dict[int, int]) -> int | None:
    """The active data officer of the regency with the fewest open cases (province-wide data
    officers when the regency has none)."""
    officers = User.objects.filter(role=Role.DATA_OFFICER, is_active=True)
    local = list(officers.filter(regency_id=regency_id).values_list("pk", flat=True))
    pool = local or list(officers.filter(regency__isnull=True).values_list("pk", flat=True))
    if not pool:
        return None
    chosen = min(pool, key=lambda pk: (load.get(pk, 0), pk))
    load[chosen] = load.get(chosen, 0) + 1
    return chosen


def _cases_open(
    pairs: Iterable[tuple[int, int, str | None]],
    *,
    trigger: JpsReviewCase.Trigger,
    selection_ref: str = "",
) -> int:
    """Open one case per (registration, JPS receipt) pair that has none yet."""
    existing = set(JpsReviewCase.objects.values_list("registration_id", "recipient_id"))
    load = dict(
        JpsReviewCase.objects.filter(status=JpsReviewCase.Status.OPEN, assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .values_list("assigned_to", "n")
    )
    cases = [
        JpsReviewCase(
            registration_id=registration_id,
            recipient_id=recipient_id,
            regency_id=regency_id,
            trigger=trigger,
            selection_ref=selection_ref,
            assigned_to_id=_assignee_for(regency_id, load),
        )
        for registration_id, recipient_id, regency_id in pairs
        if (registration_id, recipient_id) not in existing
    ]
    with transaction.atomic():
        bulk_create_with_history(
            cases, JpsReviewCase, batch_size=1000, default_change_reason=f"jps: {trigger}"
        )
    return len(cases)


def jps_cases_open_for_batch(*, batch_id: int) -> int:
    """After a JPS list is imported: a case for every submitted registrant on it.

    Called by the labourdata import when a JPS batch completes (and safe to call again).
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.COMPLETED:
        return 0
    pairs = (
        Registration.objects.filter(status=Registration.Status.SUBMITTED)
        .filter(person__jps_receipts__batch_id=batch_id)
        .values_list("pk", "person__jps_receipts", "domicile_regency_id")
    )
    return _cases_open(pairs, trigger=JpsReviewCase.Trigger.JPS_IMPORT)


def jps_cases_open_for_all_batches() -> int:
    """``jps_cases_open_for_batch`` for every completed JPS list (idempotent)."""
    batches = ImportBatch.objects.filter(kind=Kind.JPS, status=ImportBatch.Status.COMPLETED)
    return sum(jps_cases_open_for_batch(batch_id=pk) for pk in batches.values_list("pk", flat=True))


def jps_cases_open_for_selection(*, registration_ids: Sequence[int], selection_ref: str) -> int:
    """After a selection is published: a case for every selected applicant receiving JPS."""
    pairs: list[tuple[int, int, str | None]] = []
    for chunk in _chunked(list(registration_ids), 5000):
        pairs.extend(
            Registration.objects.filter(
                pk__in=chunk, person__jps_receipts__isnull=False
            ).values_list("pk", "person__jps_receipts", "domicile_regency_id")
        )
    return _cases_open(pairs, trigger=JpsReviewCase.Trigger.SELECTION, selection_ref=selection_ref)


def jps_case_resolve(*, actor: Actor, case_id: int, decision: str, reason: str) -> JpsReviewCase:
    """Record the decision (continue / stop / adjust JPS) and its reason."""
    if actor_role(actor) not in (Role.DATA_OFFICER, Role.MANAGER, Role.SUPERADMIN):
        raise _denied()
    if decision not in JpsReviewCase.Decision.values:
        raise ApplicationError(
            LinkageError.LINKAGE_JPS_DECISION_INVALID,
            _("Pilih keputusan: lanjutkan, hentikan atau sesuaikan JPS."),
            field="decision",
        )
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            LinkageError.LINKAGE_REASON_REQUIRED, _("Tuliskan alasannya."), field="reason"
        )
    with transaction.atomic():
        case = jps_case_get_for_actor(actor=actor, case_id=case_id, for_update=True)
        if case.status != JpsReviewCase.Status.OPEN:
            raise ApplicationError(
                LinkageError.LINKAGE_JPS_CASE_CLOSED,
                _("Kasus ini sudah diputuskan; muat ulang halaman."),
                status=409,
            )
        case.status = JpsReviewCase.Status.RESOLVED
        case.decision = decision
        case.reason = reason[:2000]
        case.decided_by = actor if isinstance(actor, User) else None
        case.decided_at = timezone.now()
        audit_as(case, actor=actor, reason=f"jps: {decision}")
        case.save(update_fields=["status", "decision", "reason", "decided_by", "decided_at"])
    return case
