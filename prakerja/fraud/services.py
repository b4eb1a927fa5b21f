"""The signal job and the reviewers' decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.fraud.errors import FraudError
from prakerja.fraud.models import DEFAULTS, Signal, SignalRule
from prakerja.fraud.rules import RULES


def rules_ensure() -> list[SignalRule]:
    """Every kind's rule, created with its default thresholds on first use."""
    for kind, (count, hours) in DEFAULTS.items():
        SignalRule.objects.get_or_create(
            kind=kind, defaults={"min_count": count, "window_hours": hours}
        )
    return list(SignalRule.objects.filter(is_active=True))


@dataclass(frozen=True)
class RunSummary:
    found: int
    new: int
    reopened: int


def signals_run() -> RunSummary:
    """Run every active rule over the whole tables and record its findings."""
    now = timezone.now()
    found = new = reopened = 0
    for rule in rules_ensure():
        findings = RULES[rule.kind](rule, now)
        found += len(findings)
        with transaction.atomic():
            existing = {
                signal.key: signal
                for signal in Signal.objects.select_for_update().filter(
                    kind=rule.kind, key__in=[finding.key for finding in findings]
                )
            }
            for finding in findings:
                signal = existing.get(finding.key)
                if signal is None:
                    signal = Signal(kind=rule.kind, key=finding.key, count=finding.count)
                    new += 1
                elif signal.status == Signal.Status.FALSE_ALARM and finding.count > signal.count:
                    signal.status = Signal.Status.OPEN
                    reopened += 1
                elif signal.count == finding.count:
                    continue
                signal.count = finding.count
                signal.evidence = finding.evidence
                signal.last_seen = now
                audit_as(signal, actor=None, reason="sinyal dihitung ulang")
                signal.save()
    return RunSummary(found=found, new=new, reopened=reopened)


def signal_decide(*, actor: Any, signal_id: int, verdict: str, note: str) -> Signal:
    """A reviewer marks a signal a real problem or a false alarm, with a note (audited)."""
    actor_require(actor, Capability.FRAUD_REVIEW)
    if verdict not in (Signal.Status.CONFIRMED, Signal.Status.FALSE_ALARM):
        raise ApplicationError(
            FraudError.VERDICT_INVALID, _("Pilih masalah nyata atau alarm palsu."), status=422
        )
    note = " ".join((note or "").split())[:500]
    if not note:
        raise ApplicationError(
            FraudError.NOTE_REQUIRED,
            _("Tulis catatan singkat: apa yang diperiksa dan mengapa."),
            field="note",
            status=422,
        )
    with transaction.atomic():
        signal = Signal.objects.select_for_update().filter(pk=signal_id).first()
        if signal is None:
            raise NotFound(FraudError.NOT_FOUND, _("Sinyal tidak ditemukan."))
        signal.status = verdict
        signal.note = note
        signal.reviewed_by = actor
        signal.reviewed_at = timezone.now()
        audit_as(signal, actor=actor, reason=f"ditinjau: {verdict}")
        signal.save()
    return signal
