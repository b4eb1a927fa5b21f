"""Reads of the payments app: the participant's timeline, the treasury's queues, the report per
regency and month, and the ledger's own check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.enrolment.models import Participant
from prakerja.enrolment.selectors import LedgerLine, participant_ledger
from prakerja.payments.models import (
    IncentiveRule,
    Instalment,
    PaymentAccount,
    PaymentBatch,
    PaymentLine,
    PaymentMovement,
    Survey,
    SurveyResponse,
)
from prakerja.payments.services.schedule import first_completion, payment_settings_get

Bucket = PaymentMovement.Bucket
Kind = PaymentMovement.Kind


@dataclass(frozen=True)
class SurveyState:
    survey: Survey
    opens_on: date | None
    answered_at: datetime | None

    @property
    def is_open(self) -> bool:
        return (
            self.answered_at is None
            and self.opens_on is not None
            and self.opens_on <= timezone.localdate()
        )


@dataclass
class Timeline:
    participant: Participant
    account: PaymentAccount | None
    training: list[LedgerLine]
    instalments: list[Instalment]
    surveys: list[SurveyState]
    totals: dict[str, int] = field(default_factory=dict)


def participant_timeline(*, participant: Participant) -> Timeline:
    """What the participant sees on the phone: the training balance's lines, each instalment
    (scheduled, due, at the bank, paid, with the bank's last problem), and the surveys."""
    payment_settings_get(programme_id=participant.wave.programme_id)
    account = PaymentAccount.objects.filter(participant=participant, is_active=True).first()
    instalments = list(
        Instalment.objects.filter(participant=participant)
        .select_related("rule")
        .order_by("due_on", "id")
    )
    completed = first_completion(participant)
    answered = dict(
        SurveyResponse.objects.filter(participant=participant).values_list(
            "survey_id", "submitted_at"
        )
    )
    surveys = [
        SurveyState(
            survey=survey,
            opens_on=(
                None
                if completed is None
                else timezone.localdate(completed) + timedelta(days=survey.opens_after_days)
            ),
            answered_at=answered.get(survey.pk),
        )
        for survey in Survey.objects.filter(programme_id=participant.wave.programme_id)
    ]
    instalments += _scheduled(participant, instalments, completed)
    instalments.sort(key=lambda row: (row.due_on, row.rule_id, row.sequence))
    totals = {status: 0 for status in Instalment.Status.values}
    for instalment in instalments:
        totals[instalment.status] += instalment.amount
    return Timeline(
        participant=participant,
        account=account,
        training=participant_ledger(participant=participant),
        instalments=instalments,
        surveys=surveys,
        totals=totals,
    )


def _scheduled(
    participant: Participant, made: list[Instalment], completed: datetime | None
) -> list[Instalment]:
    """The completion instalments not made yet (they are made on their day), as unsaved rows
    with the status "scheduled", from the programme's rules."""
    if completed is None:
        return []
    have = {(row.rule_id, row.sequence) for row in made}
    start = timezone.localdate(completed)
    rules = IncentiveRule.objects.filter(
        programme_id=participant.wave.programme_id, kind=IncentiveRule.Kind.COMPLETION
    )
    return [
        Instalment(
            participant=participant,
            rule=rule,
            sequence=sequence,
            amount=rule.amount,
            due_on=start + timedelta(days=(sequence - 1) * rule.interval_days),
            status=Instalment.Status.SCHEDULED,
        )
        for rule in rules
        for sequence in range(1, rule.count + 1)
        if (rule.pk, sequence) not in have
    ]


def batches_list(*, actor: Any) -> QuerySet[PaymentBatch]:
    actor_require(actor, Capability.PAYMENT_MANAGE)
    return PaymentBatch.objects.select_related("built_by", "approved_by", "regency")


def batch_lines(*, batch: PaymentBatch) -> dict[str, dict[str, int]]:
    """Per result: lines and amount."""
    rows = (
        PaymentLine.objects.filter(batch=batch)
        .values("result")
        .annotate(lines=Count("id"), amount=Sum("amount"))
    )
    out = {value: {"lines": 0, "amount": 0} for value in PaymentLine.Result.values}
    for row in rows:
        out[row["result"]] = {"lines": row["lines"], "amount": row["amount"] or 0}
    return out


def due_summary(*, actor: Any) -> dict[str, int]:
    """What a new batch would hold, and what waits for something else."""
    actor_require(actor, Capability.PAYMENT_MANAGE)
    due = Instalment.objects.filter(status=Instalment.Status.DUE)
    now = timezone.now()
    ready = due.filter(
        participant__status=Participant.Status.ACTIVE,
        participant__payment_accounts__is_active=True,
        participant__payment_accounts__name_check=PaymentAccount.NameCheck.MATCHED,
    ).filter(
        Q(participant__payment_accounts__blocked_until__isnull=True)
        | Q(participant__payment_accounts__blocked_until__lte=now)
    )
    numbers = ready.aggregate(lines=Count("id"), amount=Sum("amount"))
    return {
        "due_lines": due.count(),
        "ready_lines": numbers["lines"] or 0,
        "ready_amount": numbers["amount"] or 0,
        "accounts_in_review": PaymentAccount.objects.filter(
            is_active=True, name_check=PaymentAccount.NameCheck.REVIEW
        ).count(),
    }


def accounts_in_review(*, actor: Any) -> QuerySet[PaymentAccount]:
    actor_require(actor, Capability.PAYMENT_MANAGE)
    return (
        PaymentAccount.objects.filter(is_active=True, name_check=PaymentAccount.NameCheck.REVIEW)
        .select_related("participant__registration")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class ReportRow:
    regency: str
    month: date
    due: int
    batched: int
    paid: int
    failed: int
    returned: int


def report_by_regency_month(*, actor: Any) -> list[ReportRow]:
    """Per regency and month (Indonesian western time): the amounts that fell due, went into a
    batch, were paid, failed, or came back."""
    actor_require(actor, Capability.REPORT_VIEW)
    rows: Any = (
        PaymentMovement.objects.annotate(
            month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone())
        )
        .values("regency__name", "month")
        .annotate(**{kind: Sum("amount", filter=Q(kind=kind), default=0) for kind in Kind.values})
        .order_by("regency__name", "month")
    )
    return [
        ReportRow(
            regency=row["regency__name"] or "-",
            month=row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            due=row[Kind.DUE],
            batched=row[Kind.BATCHED],
            paid=row[Kind.PAID],
            failed=row[Kind.FAILED],
            returned=row[Kind.RETURNED],
        )
        for row in rows
    ]


def bucket_balances() -> dict[str, int]:
    """Each bucket's balance from the ledger (in minus out). They sum to zero."""
    balances = {bucket: 0 for bucket in Bucket.values}
    for bucket, amount in (
        PaymentMovement.objects.values("target")
        .annotate(amount=Sum("amount"))
        .values_list("target", "amount")
    ):
        balances[bucket] += amount
    for bucket, amount in (
        PaymentMovement.objects.values("source")
        .annotate(amount=Sum("amount"))
        .values_list("source", "amount")
    ):
        balances[bucket] -= amount
    return balances


def ledger_mismatches() -> dict[str, tuple[int, int]]:
    """Where the ledger and the instalments disagree: {bucket: (ledger, instalments)}. Empty
    when the money's trail is whole."""
    balances = bucket_balances()
    states = dict(
        Instalment.objects.exclude(status=Instalment.Status.SCHEDULED)
        .values("status")
        .annotate(amount=Sum("amount"))
        .values_list("status", "amount")
    )
    wrong: dict[str, tuple[int, int]] = {}
    for bucket in (Bucket.DUE, Bucket.IN_BATCH, Bucket.PAID):
        if balances[bucket] != (states.get(bucket) or 0):
            wrong[bucket] = (balances[bucket], states.get(bucket) or 0)
    if sum(balances.values()) != 0:
        wrong["sum"] = (sum(balances.values()), 0)
    return wrong
