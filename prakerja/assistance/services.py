from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from prakerja.assistance.models import CallCentreLine, Post
from prakerja.assistance.seed import CALL_CENTRE_LINES, post_seeds
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA


@dataclass(frozen=True)
class SeedResult:
    posts_created: int
    posts_total: int
    lines_created: int


@transaction.atomic
def assistance_seed_load() -> SeedResult:
    """Create the seed posts and call-centre lines that are missing.

    Existing rows are left alone, so an admin's edits (hours, capacity, a hidden address)
    survive every later ``make run``.
    """
    regency_names = dict(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", "name"))
    if len(regency_names) != 38:
        raise ApplicationError(
            "assistance.regions_missing",
            "Data wilayah Jawa Timur belum dimuat: jalankan `manage.py regions_load` dahulu.",
        )
    existing = set(Post.objects.values_list("code", flat=True))
    missing = [seed for seed in post_seeds(regency_names) if seed.code not in existing]
    Post.objects.bulk_create(
        [
            Post(
                code=seed.code,
                name=seed.name,
                kind=seed.kind,
                regency_id=seed.regency_code,
                address=seed.address,
                address_public=seed.address_public,
            )
            for seed in missing
        ]
    )
    lines_created = 0
    for number, name in CALL_CENTRE_LINES:
        _, created = CallCentreLine.objects.get_or_create(number=number, defaults={"name": name})
        lines_created += created
    return SeedResult(
        posts_created=len(missing), posts_total=Post.objects.count(), lines_created=lines_created
    )
