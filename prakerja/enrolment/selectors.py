"""Reads of the enrolment app: a participant's own page, their ledger, and the reconciliation
of balances against the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.enrolment.models import Enrolment, LedgerEntry, Participant, Rating


def participant_for_actor(*, actor: Actor | None) -> Participant | None:
    """The signed-in applicant's participation: the active one, else the latest (a revoked
    one, so the page can say why). None for anyone who is not a participant."""
    if actor_role(actor) is None or not isinstance(actor, User):
        return None
    return (
        Participant.objects.select_related("registration", "wave", "regency")
        .filter(registration__user_id=actor.pk)
        .order_by("status", "-selected_at")  # "active" sorts before "revoked"
        .first()
    )


@dataclass(frozen=True)
class LedgerLine:
    created_at: datetime
    reason: str
    reason_label: str
    amount: int
    balance_after: int
    course_title: str | None


def participant_ledger(*, participant: Participant) -> list[LedgerLine]:
    """The participant's ledger, oldest first, with the balance after each line."""
    entries = (
        LedgerEntry.objects.filter(participant=participant)
        .select_related("enrolment__batch__course")
        .order_by("pk")
    )
    lines = []
    running = 0
    for entry in entries:
        running += entry.amount
        enrolment = entry.enrolment
        lines.append(
            LedgerLine(
                created_at=entry.created_at,
                reason=entry.reason,
                reason_label=str(entry.get_reason_display()),
                amount=entry.amount,
                balance_after=running,
                course_title=enrolment.batch.course.title if enrolment else None,
            )
        )
    return lines


def participant_enrolments(*, participant: Participant) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(participant=participant)
        .select_related("batch__course__provider", "batch__course__regency")
        .annotate(rated=Exists(Rating.objects.filter(enrolment=OuterRef("pk"))))
        .order_by("-enrolled_at", "-pk")
    )


@dataclass(frozen=True)
class LedgerMismatch:
    participant_id: int
    balance: int
    ledger_sum: int


def ledger_mismatches(*, limit: int = 1000) -> list[LedgerMismatch]:
    """Participants whose stored balance differs from the sum of their ledger: the
    reconciliation that proves the balance is derived from the ledger (empty when all is
    well). One query; the participant table's balance is what the enrolment's conditional
    update reads, the ledger is the record."""
    sums = (
        LedgerEntry.objects.filter(participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Participant.objects.annotate(ledger_sum=Coalesce(Subquery(sums), Value(0)))
        .exclude(balance=F("ledger_sum"))
        .order_by("pk")
        .values_list("pk", "balance", "ledger_sum")[:limit]
    )
    return [LedgerMismatch(pk, balance, int(total)) for pk, balance, total in rows]
