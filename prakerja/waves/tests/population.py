"""Fast test populations for the selection: users and registrations by ``bulk_create``.

The registration wizard is tested in the registry app; the selection only reads the fields
set here (status, domicile, KK index, category, Disnaker flag, disability), so the rows are
written directly. KK indexes are fake hex strings, never derived from a real number.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.registry.models import Programme, Registration
from prakerja.waves.models import RegencyQuota, Wave, WaveEntry

_serial = itertools.count(1)


@dataclass
class Applicant:
    regency: str = "3578"
    category: str = "laid_off"
    reported: bool = False
    disability: bool = False
    kk: str = ""
    status: str = "submitted"
    test_score: int | None = None


def registrations_make(programme: Programme, applicants: Iterable[Applicant]) -> list[Registration]:
    applicants = list(applicants)
    users = User.objects.bulk_create(
        [User(username=f"pop-{next(_serial)}", role=Role.APPLICANT) for _ in applicants]
    )
    now = timezone.now()
    rows = []
    for user, a in zip(users, applicants, strict=True):
        n = next(_serial)
        rows.append(
            Registration(
                reference=f"T{n:011d}"[:12],
                programme=programme,
                user=user,
                status=a.status,
                kk_index=(f"{a.kk:0>64}" if a.kk else ""),
                domicile_regency_id=a.regency,
                employment_status=a.category,
                reported_by_disnaker=a.reported,
                has_disability=a.disability,
                test_score=a.test_score,
                submitted_at=now if a.status != "draft" else None,
            )
        )
    return Registration.objects.bulk_create(rows)


def closed_wave(
    programme: Programme,
    quotas: dict[str, int],
    registrations: Iterable[Registration] = (),
    **fields: Any,
) -> Wave:
    """A closed wave with the given quotas and the registrations joined (no services: the
    services are tested on their own; this is the selection's input)."""
    number = Wave.objects.filter(programme=programme).count() + 1
    start = timezone.now() - timedelta(days=60 - number * 10)
    wave = Wave.objects.create(
        programme=programme,
        number=number,
        name=f"Gelombang {number}",
        opens_at=start,
        closes_at=start + timedelta(days=5),
        total_quota=sum(quotas.values()) or 1,
        status=Wave.Status.CLOSED,
        **fields,
    )
    RegencyQuota.objects.bulk_create(
        [RegencyQuota(wave=wave, regency_id=code, quota=q) for code, q in quotas.items()]
    )
    WaveEntry.objects.bulk_create([WaveEntry(wave=wave, registration=r) for r in registrations])
    return wave
