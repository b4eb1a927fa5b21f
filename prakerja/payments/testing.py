"""Factories for the payments tests and demo: participants who completed a course, treasury
officers, and a bank result file."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.testing import make_batch, published_selection
from prakerja.payments.demo import NAMES


def completed_participants(
    n: int = 1, *, regency_code: str = "3578", completed_at: datetime | None = None
) -> list[Participant]:
    """``n`` active participants, each with one completed course."""
    participants = published_selection(quotas={regency_code: n}).participants()
    for k, participant in enumerate(participants):
        registration = participant.registration
        registration.full_name = NAMES[k % len(NAMES)]
        registration.save(update_fields=["full_name"])
    batch = make_batch(price=500_000, seats=max(n, 1))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                participant=participant,
                batch=batch,
                price=500_000,
                status=Enrolment.Status.COMPLETED,
                attendance_percent=100,
                final_score=90,
                completed_at=completed_at or timezone.now(),
            )
            for participant in participants
        ]
    )
    return participants


def treasury_officer() -> User:
    return make_user(role=Role.TREASURY)


def result_csv(lines: list[tuple[str, int, int, str, str]]) -> bytes:
    """A bank result file: (batch code, line id, amount, status, reason) per line."""
    rows = ["batch,line,amount,status,reason"]
    rows += [f"{b},{line},{amount},{status},{reason}" for b, line, amount, status, reason in lines]
    return ("\n".join(rows) + "\n").encode("utf-8")
