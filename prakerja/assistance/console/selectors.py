"""Reads of the officer console: the own post's registrations and the masked summary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet

from prakerja.accounts.scopes import Actor
from prakerja.core.errors import ApplicationError
from prakerja.identity.nik import NIK_LENGTH, number_normalise
from prakerja.identity.phones import phone_normalise
from prakerja.registry.models import Registration
from prakerja.registry.references import reference_normalise
from prakerja.registry.selectors import registration_list_for_actor


class QueryKind(StrEnum):
    NIK = "nik"
    PHONE = "phone"
    REFERENCE = "reference"


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    value: str


def console_query_parse(text: str) -> ParsedQuery | None:
    """What the officer typed: a NIK (16 digits), a phone number or a reference; else None."""
    text = (text or "").strip()[:64]
    digits = number_normalise(text)
    if len(digits) == NIK_LENGTH and digits.isascii() and digits.isdigit():
        return ParsedQuery(QueryKind.NIK, digits)
    try:
        return ParsedQuery(QueryKind.PHONE, phone_normalise(text))
    except ApplicationError:
        pass
    reference = reference_normalise(text)
    if reference is not None:
        return ParsedQuery(QueryKind.REFERENCE, reference)
    return None


def console_registrations_own(*, actor: Actor) -> QuerySet[Registration]:
    """Registrations assisted at the officer's post (every post for the superadmin)."""
    registrations = registration_list_for_actor(actor=actor)
    return registrations.select_related("person", "domicile_regency").order_by("-created_at")


def name_mask(full_name: str) -> str:
    """``Budi Santoso`` → ``Bu*** Sa***``: enough to confirm over the counter, no more."""
    words = full_name.split()
    if not words:
        return "—"
    return " ".join(f"{word[:2]}***" for word in words)


@dataclass(frozen=True)
class MaskedSummary:
    """All an officer learns about a registration of another post (SPEC §4, UU PDP)."""

    reference: str
    name_masked: str
    status: str
    status_label: str
    regency: str

    @classmethod
    def of(cls, registration: Registration) -> MaskedSummary:
        regency = registration.domicile_regency
        return cls(
            reference=registration.reference,
            name_masked=name_mask(registration.full_name),
            status=registration.status,
            status_label=str(registration.get_status_display()),
            regency=regency.name if regency is not None else "—",
        )
