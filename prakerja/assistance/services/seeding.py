"""The seed data of the assistance app: the 56 posts, the call-centre lines, national holidays."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.holidays import NATIONAL_HOLIDAYS
from prakerja.assistance.models import (
    CallCentreLine,
    Holiday,
    Post,
)
from prakerja.assistance.seed import CALL_CENTRE_LINES, UPT_BLK, post_seeds
from prakerja.assistance.services.reminders import holiday_bookings_cancel
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.training.models import Provider, ProviderCapacity


@dataclass(frozen=True)
class SeedResult:
    posts_created: int
    posts_total: int
    lines_created: int
    holidays_created: int = 0


@transaction.atomic
def assistance_seed_load() -> SeedResult:
    """Create the seed posts and call-centre lines that are missing.

    Existing rows are left alone, so an admin's edits (hours, capacity, a hidden address)
    survive every later ``make run``.
    """
    regency_names = dict(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", "name"))
    if len(regency_names) != 38:
        raise ApplicationError(
            AssistanceError.ASSISTANCE_REGIONS_MISSING,
            gettext_lazy(
                "Data wilayah Jawa Timur belum dimuat: jalankan `manage.py regions_load` dahulu."
            ),
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
    blk_providers_load()
    lines_created = 0
    for number, name in CALL_CENTRE_LINES:
        _, created = CallCentreLine.objects.get_or_create(number=number, defaults={"name": name})
        lines_created += created
    return SeedResult(
        posts_created=len(missing),
        posts_total=Post.objects.count(),
        lines_created=lines_created,
        holidays_created=holidays_seed_load(),
    )


# Yearly capacity of a UPT BLK per training field (the province's workshops), for the seed.
BLK_CAPACITY = {"manufacturing": 192, "electrical": 160, "automotive": 160, "digital": 128}


def blk_providers_load() -> int:
    """The 16 UPT BLK of the province as verified training providers (kind BLK) with their
    capacity per field; a BLK already present is left alone. Returns how many were made."""
    made = 0
    for slug, place, regency_code in UPT_BLK:
        name = f"UPT Balai Latihan Kerja {place}"
        if Provider.objects.filter(name=name).exists():
            continue
        provider = Provider(
            name=name,
            kind=Provider.Kind.BLK,
            regency_id=regency_code,
            address=f"UPT BLK {place}, Jawa Timur",
            sisnaker_number=f"BLK.{regency_code}.{slug[:6].upper()}",
            status=Provider.Status.VERIFIED,
            verified_at=timezone.now(),
            yearly_capacity=sum(BLK_CAPACITY.values()),
        )
        audit_as(provider, actor=None, reason="data awal: UPT BLK Provinsi Jawa Timur")
        provider.save()
        ProviderCapacity.objects.bulk_create(
            [
                ProviderCapacity(provider=provider, field=field, yearly_capacity=value)
                for field, value in BLK_CAPACITY.items()
            ]
        )
        made += 1
    return made


def holidays_seed_load() -> int:
    """Add the national holidays of ``assistance.holidays`` that are missing; returns how many.
    A date already present (also one an admin renamed) is left alone."""
    existing = set(Holiday.objects.filter(post=None).values_list("date", flat=True))
    missing = [
        Holiday(date=day, name=name) for day, name in NATIONAL_HOLIDAYS if day not in existing
    ]
    Holiday.objects.bulk_create(missing, ignore_conflicts=True)
    today = timezone.localdate()
    for holiday in Holiday.objects.filter(
        post=None, date__in=[h.date for h in missing if h.date >= today]
    ):
        holiday_bookings_cancel(holiday=holiday)
    return len(missing)
