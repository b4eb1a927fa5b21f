"""The programme and its seed: rules, consent text and test questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from prakerja.registry import seed
from prakerja.registry.models import (
    ConsentText,
    EligibilityRule,
    Programme,
    TestQuestion,
)
from prakerja.registry.selectors import programme_by_code


@dataclass(frozen=True)
class SeedResult:
    programme: Programme
    rules_created: int
    questions_created: int
    consent_created: bool


@transaction.atomic
def registry_seed_load() -> SeedResult:
    """Create the East Java programme, its default rules, consent text v1 and the demo test
    questions, where missing. Idempotent: never overwrites what a manager changed."""
    programme, _created = Programme.objects.get_or_create(
        code=seed.PROGRAMME_CODE, defaults={"name": seed.PROGRAMME_NAME}
    )
    rules_created = 0
    for rule in seed.RULES:
        _rule, created = EligibilityRule.objects.get_or_create(
            programme=programme,
            kind=rule["kind"],
            defaults={"parameter": rule["parameter"], "reason": rule["reason"]},
        )
        rules_created += created
    _consent, consent_created = ConsentText.objects.get_or_create(
        version=seed.CONSENT_VERSION,
        defaults={"consent_body": seed.CONSENT_BODY, "truthfulness_body": seed.TRUTHFULNESS_BODY},
    )
    questions_created = 0
    if not TestQuestion.objects.filter(programme=programme).exists():
        for order, (kind, text, choices, correct) in enumerate(seed.QUESTIONS, start=1):
            TestQuestion.objects.create(
                programme=programme,
                kind=kind,
                text=text,
                choices=choices,
                correct_choice=correct,
                order=order,
            )
            questions_created += 1
    return SeedResult(programme, rules_created, questions_created, consent_created)


def programme_default() -> Programme:
    """The East Java programme, seeded on first use so a fresh database works at once."""
    programme = programme_by_code(seed.PROGRAMME_CODE)
    if programme is None:
        programme = registry_seed_load().programme
    return programme
