"""Factories for tests of the enrolment app (no pytest import, so the benchmark and plain code
can use them too).

``published_selection(quotas={"3578": 2}, applicants={"3578": 5})`` runs a real selection
through the waves services (closed wave, run, two managers' approval, publication) so the
``selection_published`` receiver makes the participants; ``make_batch()`` gives a bookable
batch of a published course of a verified provider. Registrations are written directly (the
registry's wizard is tested in its app); phone numbers are fake, NIKs are never involved.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_provider, make_user
from prakerja.enrolment.models import Participant
from prakerja.registry.models import Programme, Registration
from prakerja.registry.references import ALPHABET
from prakerja.registry.services.programme import programme_default
from prakerja.training.models import Course, CourseBatch, Provider, TrainingField
from prakerja.waves.models import RegencyQuota, SelectionRun, Wave, WaveEntry
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_publish,
)

_serial = itertools.count(1)


def _reference(k: int) -> str:
    """A canonical, unique reference (``PJ-XXXX-XXXX``) for serial ``k``."""
    digits = []
    for _ in range(8):
        k, r = divmod(k, len(ALPHABET))
        digits.append(ALPHABET[r])
    code = "".join(reversed(digits))
    return f"PJ-{code[:4]}-{code[4:]}"


def applicants_make(
    programme: Programme, regency_code: str, n: int, *, users: list[User] | None = None
) -> list[Registration]:
    """``n`` submitted registrations domiciled in ``regency_code``, each with its own account
    and phone number (``+62812…``)."""
    if users is None:
        users = User.objects.bulk_create(
            [User(username=f"peserta-{next(_serial)}", role=Role.APPLICANT) for _ in range(n)]
        )
    now = timezone.now()
    rows = []
    for user in users:
        k = next(_serial)
        rows.append(
            Registration(
                reference=_reference(k),
                programme=programme,
                user=user,
                status=Registration.Status.SUBMITTED,
                full_name=f"Peserta Uji {k}",
                phone=f"+62812{k:08d}",
                domicile_regency_id=regency_code,
                employment_status="laid_off",
                submitted_at=now,
            )
        )
    return Registration.objects.bulk_create(rows)


@dataclass
class Selection:
    wave: Wave
    run: SelectionRun
    registrations: list[Registration]

    def participants(self) -> list[Participant]:
        return list(Participant.objects.filter(wave=self.wave).order_by("pk"))


def closed_wave_with(
    programme: Programme, quotas: dict[str, int], registrations: list[Registration]
) -> Wave:
    last = Wave.objects.filter(programme=programme).order_by("-number").first()
    number = (last.number if last else 0) + 1
    start = timezone.now() - timedelta(days=60 - number)
    wave = Wave.objects.create(
        programme=programme,
        number=number,
        name=f"Gelombang {number}",
        opens_at=start,
        closes_at=start + timedelta(days=5),
        total_quota=sum(quotas.values()) or 1,
        status=Wave.Status.CLOSED,
    )
    RegencyQuota.objects.bulk_create(
        [RegencyQuota(wave=wave, regency_id=code, quota=q) for code, q in quotas.items()]
    )
    WaveEntry.objects.bulk_create([WaveEntry(wave=wave, registration=r) for r in registrations])
    return wave


def publish(wave: Wave, *, seed: str = "uji-enrolment") -> SelectionRun:
    """Rank, approve (a second manager) and publish ``wave`` through the waves services."""
    first, second = make_user(role=Role.MANAGER), make_user(role=Role.MANAGER)
    run = selection_run_create(actor=first, wave=wave, seed=seed)
    run = selection_run_execute(run_id=run.pk)
    run = selection_run_approve(actor=second, run=run)
    return selection_run_publish(actor=second, run=run)


def published_selection(
    *,
    quotas: dict[str, int],
    applicants: dict[str, int] | None = None,
    programme: Programme | None = None,
) -> Selection:
    """A wave with ``applicants`` per regency (default: the quota), ranked and published."""
    programme = programme or programme_default()
    registrations = [
        registration
        for code, n in (applicants or quotas).items()
        for registration in applicants_make(programme, code, n)
    ]
    wave = closed_wave_with(programme, quotas, registrations)
    run = publish(wave)
    return Selection(wave=wave, run=run, registrations=registrations)


def make_participant(*, regency_code: str = "3578") -> Participant:
    """One active participant (a published wave of one, selected)."""
    selection = published_selection(quotas={regency_code: 1})
    return selection.participants()[0]


def verified_provider(**fields: Any) -> Provider:
    return make_provider(status=Provider.Status.VERIFIED, verified_at=timezone.now(), **fields)


def make_course(
    *,
    provider: Provider | None = None,
    price: int = 600_000,
    status: str = Course.Status.PUBLISHED,
    title: str | None = None,
    **fields: Any,
) -> Course:
    provider = provider or verified_provider()
    n = next(_serial)
    return Course.objects.create(
        provider=provider,
        title=title or f"Pelatihan Uji {n}",
        field=TrainingField.DIGITAL,
        mode=Course.Mode.ONLINE,
        regency=provider.regency,
        hours=40,
        price=price,
        description="Pelatihan untuk pengujian.",
        status=status,
        published_at=timezone.now() if status == Course.Status.PUBLISHED else None,
        **fields,
    )


def make_batch(
    *,
    course: Course | None = None,
    seats: int = 10,
    seats_taken: int = 0,
    starts_in_days: int = 14,
    length_days: int = 10,
    **course_fields: Any,
) -> CourseBatch:
    course = course or make_course(**course_fields)
    starts_on = timezone.localdate() + timedelta(days=starts_in_days)
    return CourseBatch.objects.create(
        course=course,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=length_days),
        seats=seats,
        seats_taken=seats_taken,
    )
