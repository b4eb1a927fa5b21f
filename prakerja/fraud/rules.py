"""The signal rules: each one GROUP BY over the whole table (ORM aggregates, both databases),
returning the findings above its threshold. Evidence names registrations by reference and
phones masked; the keys are keyed hashes or row ids, never a number in plain text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Cast, Concat, Lower, TruncDate, TruncTime
from django.utils import timezone

from prakerja.fraud.models import Kind, SignalRule
from prakerja.identity import crypto
from prakerja.identity.phones import phone_mask
from prakerja.linkage.models import JpsReviewCase
from prakerja.payments.models import AccountRefusal, Instalment, PaymentAccount, PaymentLine
from prakerja.registry.models import Channel, Registration

EVIDENCE_ROWS = 20


@dataclass(frozen=True)
class Finding:
    key: str
    count: int
    evidence: dict[str, Any]


def _hashed(purpose: str, value: str) -> str:
    return crypto.blind_index(value, purpose=f"fraud-{purpose}")


def _registrations(ids_filter: Q) -> list[dict[str, Any]]:
    rows = (
        Registration.objects.filter(ids_filter)
        .order_by("submitted_at", "id")
        .values("reference", "full_name", "channel", "submitted_at", "domicile_regency__name")[
            :EVIDENCE_ROWS
        ]
    )
    return [
        {
            "reference": row["reference"],
            "channel": row["channel"],
            "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else "",
            "regency": row["domicile_regency__name"] or "",
        }
        for row in rows
    ]


def _evidence_of(registrations: Any, key: str) -> dict[Any, list[dict[str, Any]]]:
    """The evidence rows of every flagged group in one query: ``registrations`` (already
    limited to the flagged groups) by their value of ``key``, at most EVIDENCE_ROWS each.
    A query per group would read the table once per finding."""
    grouped: dict[Any, list[dict[str, Any]]] = {}
    rows = registrations.order_by(key, "submitted_at", "id").values(
        key, "reference", "channel", "submitted_at", "domicile_regency__name"
    )
    for row in rows.iterator(chunk_size=5000):
        found = grouped.setdefault(row[key], [])
        if len(found) < EVIDENCE_ROWS:
            found.append(
                {
                    "reference": row["reference"],
                    "channel": row["channel"],
                    "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else "",
                    "regency": row["domicile_regency__name"] or "",
                }
            )
    return grouped


def _submitted() -> Any:
    return Registration.objects.filter(submitted_at__isnull=False)


def phone_shared(rule: SignalRule, now: datetime) -> list[Finding]:
    groups = (
        _submitted()
        .exclude(phone="")
        .values("phone")
        .annotate(n=Count("id", distinct=True))
        .filter(n__gte=rule.min_count)
    )
    counts = {str(row["phone"]): row["n"] for row in groups}
    evidence = _evidence_of(_submitted().filter(phone__in=groups.values("phone")), "phone")
    return [
        Finding(
            _hashed("phone", phone),
            count,
            {"summary": phone_mask(phone), "rows": evidence.get(phone, [])},
        )
        for phone, count in counts.items()
    ]


def email_shared(rule: SignalRule, now: datetime) -> list[Finding]:
    mails = _submitted().exclude(email="").annotate(mail=Lower("email"))
    groups = (
        mails.values("mail").annotate(n=Count("id", distinct=True)).filter(n__gte=rule.min_count)
    )
    counts = {row["mail"]: row["n"] for row in groups}
    evidence = _evidence_of(mails.filter(mail__in=groups.values("mail")), "mail")
    findings = []
    for mail, count in counts.items():
        local, _at, domain = mail.partition("@")
        findings.append(
            Finding(
                _hashed("email", mail),
                count,
                {"summary": f"{local[:2]}***@{domain}", "rows": evidence.get(mail, [])},
            )
        )
    return findings


def _participants(ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        Registration.objects.filter(participants__id__in=ids)
        .values("reference", "domicile_regency__name")
        .distinct()[:EVIDENCE_ROWS]
    )
    return [
        {"reference": r["reference"], "regency": r["domicile_regency__name"] or ""} for r in rows
    ]


def account_shared(rule: SignalRule, now: datetime) -> list[Finding]:
    groups = (
        PaymentAccount.objects.values("channel", "provider", "number_index")
        .annotate(n=Count("participant", distinct=True))
        .filter(n__gte=rule.min_count)
    )
    findings = []
    for row in groups:
        accounts = PaymentAccount.objects.filter(
            channel=row["channel"], provider=row["provider"], number_index=row["number_index"]
        )
        last4 = accounts.values_list("number_last4", flat=True).first() or ""
        findings.append(
            Finding(
                row["number_index"][:64],
                row["n"],
                {
                    "summary": f"{row['provider']} …{last4}",
                    "rows": _participants(list(accounts.values_list("participant_id", flat=True))),
                },
            )
        )
    return findings


def account_refused(rule: SignalRule, now: datetime) -> list[Finding]:
    groups = (
        AccountRefusal.objects.values("number_index")
        .annotate(n=Count("id"))
        .filter(n__gte=rule.min_count)
    )
    findings = []
    for row in groups:
        refusals = AccountRefusal.objects.filter(number_index=row["number_index"])
        ids = list(refusals.values_list("participant_id", flat=True)) + list(
            refusals.values_list("holder_id", flat=True)
        )
        findings.append(
            Finding(
                row["number_index"][:64],
                row["n"],
                {"summary": f"{row['n']}×", "rows": _participants(ids)},
            )
        )
    return findings


def address_burst(rule: SignalRule, now: datetime) -> list[Finding]:
    places = (
        _submitted()
        .exclude(address="")
        .annotate(
            burst=Concat(
                Lower("address"),
                Value("|"),
                Cast("domicile_district", CharField()),
                Value("|"),
                Cast(TruncDate("submitted_at"), CharField()),
                output_field=CharField(),
            )
        )
    )
    groups = places.values("burst").annotate(n=Count("id")).filter(n__gte=rule.min_count)
    counts = {row["burst"]: row["n"] for row in groups}
    evidence = _evidence_of(places.filter(burst__in=groups.values("burst")), "burst")
    return [
        Finding(
            _hashed("address", burst),
            count,
            {"summary": burst.rsplit("|", 1)[-1], "rows": evidence.get(burst, [])},
        )
        for burst, count in counts.items()
    ]


def _assisted() -> Any:
    return _submitted().filter(channel=Channel.POST, assisted_by__isnull=False)


def _per_officer_and_day(registrations: Any, rule: SignalRule) -> list[Finding]:
    """Findings per officer and (local) day among ``registrations`` (annotated ``day``)."""
    groups = (
        registrations.values("assisted_by", "assisted_post__name", "day")
        .annotate(n=Count("id"))
        .filter(n__gte=rule.min_count)
    )
    return [
        Finding(
            f"{row['assisted_by']}:{row['day']}",
            row["n"],
            {
                "summary": f"{row['assisted_post__name'] or '-'} · {row['day']}",
                "rows": _registrations(
                    Q(
                        pk__in=registrations.filter(
                            assisted_by=row["assisted_by"], day=row["day"]
                        ).values("pk")
                    )
                ),
            },
        )
        for row in groups
    ]


def officer_volume(rule: SignalRule, now: datetime) -> list[Finding]:
    return _per_officer_and_day(_assisted().annotate(day=TruncDate("submitted_at")), rule)


def officer_out_of_hours(rule: SignalRule, now: datetime) -> list[Finding]:
    outside = (
        _assisted()
        .filter(assisted_post__isnull=False)
        .annotate(local=TruncTime("submitted_at"), day=TruncDate("submitted_at"))
        .filter(
            Q(local__lt=F("assisted_post__opens_at")) | Q(local__gt=F("assisted_post__closes_at"))
        )
    )
    return _per_officer_and_day(outside, rule)


def account_changed(rule: SignalRule, now: datetime) -> list[Finding]:
    window = timedelta(hours=rule.window_hours or 72)
    lines = (
        PaymentLine.objects.filter(
            participant__payment_accounts__blocked_until__isnull=False,
            participant__payment_accounts__created_at__lte=F("batch__built_at"),
            participant__payment_accounts__created_at__gte=F("batch__built_at") - window,
        )
        .values("participant_id", "batch_id")
        .annotate(n=Count("id", distinct=True))
        .filter(n__gte=rule.min_count)
    )
    return [
        Finding(
            f"{row['participant_id']}:{row['batch_id']}",
            row["n"],
            {"summary": f"batch {row['batch_id']}", "rows": _participants([row["participant_id"]])},
        )
        for row in lines
    ]


def paid_jps_open(rule: SignalRule, now: datetime) -> list[Finding]:
    open_cases = JpsReviewCase.objects.filter(status=JpsReviewCase.Status.OPEN)
    groups = (
        Instalment.objects.filter(
            status=Instalment.Status.PAID,
            participant__registration__in=open_cases.values("registration"),
        )
        .values("participant_id")
        .annotate(n=Count("id"))
        .filter(n__gte=rule.min_count)
    )
    return [
        Finding(
            str(row["participant_id"]),
            row["n"],
            {"summary": f"{row['n']}×", "rows": _participants([row["participant_id"]])},
        )
        for row in groups
    ]


RULES: dict[str, Callable[[SignalRule, datetime], list[Finding]]] = {
    Kind.PHONE_SHARED: phone_shared,
    Kind.EMAIL_SHARED: email_shared,
    Kind.ACCOUNT_SHARED: account_shared,
    Kind.ACCOUNT_REFUSED: account_refused,
    Kind.ADDRESS_BURST: address_burst,
    Kind.OFFICER_VOLUME: officer_volume,
    Kind.OFFICER_OUT_OF_HOURS: officer_out_of_hours,
    Kind.ACCOUNT_CHANGED: account_changed,
    Kind.PAID_JPS_OPEN: paid_jps_open,
}


def now_local() -> datetime:
    return timezone.localtime()
