"""The eligibility rules engine: which active rules a registration fails, and the family card
cap's counter (taken race-free by ``registration_submit``).

Rules are data (``EligibilityRule``); this module only reads them. ``eligibility_evaluate``
(a preview) is in ``selectors``, the submission in ``services.submission``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from prakerja.registry.models import (
    EligibilityRule,
    FamilyCardCount,
    Registration,
)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def int_parameter(rule: EligibilityRule, key: str, default: int) -> int:
    value = rule.parameter.get(key) if isinstance(rule.parameter, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def reasons_except_kk_cap(
    registration: Registration, rules: Sequence[EligibilityRule], today: date
) -> list[Reason]:
    """The failed rules that depend on this registration alone (the KK cap depends on the
    other members of the family card: see ``family_card_place``)."""
    reasons: list[Reason] = []
    for rule in rules:
        failed = False
        if rule.kind == EligibilityRule.Kind.MIN_AGE:
            years = int_parameter(rule, "years", 18)
            failed = (
                registration.birth_date is None or age_on(registration.birth_date, today) < years
            )
        elif rule.kind == EligibilityRule.Kind.NOT_IN_EDUCATION:
            failed = registration.not_in_education is not True
        elif rule.kind == EligibilityRule.Kind.EXCLUDED_OCCUPATION:
            excluded = (
                rule.parameter.get("occupations", []) if isinstance(rule.parameter, dict) else []
            )
            failed = registration.occupation in excluded
        if failed:
            reasons.append(Reason(f"eligibility.{rule.kind}", rule.reason))
    return reasons


def kk_cap_rule(rules: Sequence[EligibilityRule]) -> EligibilityRule | None:
    return next((rule for rule in rules if rule.kind == EligibilityRule.Kind.KK_CAP), None)


def kk_cap_reason(rule: EligibilityRule) -> Reason:
    return Reason(f"eligibility.{rule.kind}", rule.reason)


def family_card_place(*, programme_id: int, kk_index: str, cap: int | None, take: bool) -> bool:
    """Whether the family card has a place left under ``cap`` (None: no cap); with ``take``,
    also take that place, race-free.

    Taking is one statement: insert the counter at 1, or on conflict increment it only while
    below the cap (``INSERT … ON CONFLICT DO UPDATE … WHERE submitted < cap RETURNING``); no
    row back means the card is full. A concurrent first insert of the same card makes us wait
    for its commit and then take the update path; the update locks that one row until our
    commit and, on PostgreSQL, re-checks the condition against the committed value, so two
    members of one KK submitting at the same moment cannot both take the last place. Members
    of other family cards never wait on each other (SQLite serialises writers anyway).
    """
    if not take:
        if cap is None:
            return True
        counters = FamilyCardCount.objects.filter(programme_id=programme_id, kk_index=kk_index)
        submitted = counters.values_list("submitted", flat=True).first() or 0
        return submitted < cap
    if cap is not None and cap < 1:
        return False
    table = FamilyCardCount._meta.db_table
    below_cap = f" WHERE {table}.submitted < %s" if cap is not None else ""
    sql = (
        f"INSERT INTO {table} (programme_id, kk_index, submitted) VALUES (%s, %s, 1) "  # noqa: S608 - the table name from the model, values as parameters
        f"ON CONFLICT (programme_id, kk_index) DO UPDATE SET submitted = {table}.submitted + 1"
        f"{below_cap} RETURNING submitted"
    )
    params: list[Any] = [programme_id, kk_index, *([cap] if cap is not None else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
