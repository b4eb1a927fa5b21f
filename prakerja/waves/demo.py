"""Demo data of the waves app: East Java's first wave of April 2020.

The provisional quota of 543,000 for East Java, split over its 38 regencies, and a first
wave that closed on Friday 17 April 2020 at 23:59 WIB. Idempotent.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count

from prakerja.core.audit import audit_as
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.registry.services.programme import programme_default
from prakerja.waves.models import RegencyQuota, Wave
from prakerja.waves.services import quotas_largest_remainder, wave_settings_get

WIB = ZoneInfo("Asia/Jakarta")
PROVISIONAL_QUOTA = 543_000
FIRST_WAVE_OPENS_AT = datetime(2020, 4, 11, 0, 0, tzinfo=WIB)
FIRST_WAVE_CLOSES_AT = datetime(2020, 4, 17, 23, 59, tzinfo=WIB)


@transaction.atomic
def waves_demo_load() -> Wave:
    """The demo programme's first wave (open, as on the day it ran) with its quotas.

    The demo has no real registration counts to allocate by, so the split uses the number
    of districts (kecamatan) of each regency as a stand-in for its size, with the same
    largest-remainder rounding as ``wave_quotas_allocate``: the parts add up to 543,000.
    """
    programme = programme_default()
    wave_settings_get(programme=programme)
    wave = Wave.objects.filter(programme=programme, number=1).first()
    if wave is None:
        wave = Wave(
            programme=programme,
            number=1,
            name="Gelombang 1",
            opens_at=FIRST_WAVE_OPENS_AT,
            closes_at=FIRST_WAVE_CLOSES_AT,
            total_quota=PROVISIONAL_QUOTA,
            status=Wave.Status.OPEN,
        )
        audit_as(wave, actor=None, reason="data demo")
        wave.save()
    if not RegencyQuota.objects.filter(wave=wave).exists():
        sizes = dict(
            Regency.objects.filter(province_id=EAST_JAVA)
            .annotate(n=Count("districts"))
            .values_list("code", "n")
        )
        quotas = quotas_largest_remainder(total=wave.total_quota, weights=sizes)
        RegencyQuota.objects.bulk_create(
            [
                RegencyQuota(wave=wave, regency_id=code, quota=quota, method="allocated")
                for code, quota in quotas.items()
            ]
        )
    return wave
