from __future__ import annotations

from django.db.models import QuerySet

from prakerja.regions.models import District, Province, Regency, Village

EAST_JAVA = "35"


def province_list() -> QuerySet[Province]:
    return Province.objects.all()


def regency_list(*, province_code: str | None = None) -> QuerySet[Regency]:
    qs = Regency.objects.all()
    if province_code:
        qs = qs.filter(province_id=province_code)
    return qs


def district_list(*, regency_code: str) -> QuerySet[District]:
    return District.objects.filter(regency_id=regency_code)


def village_list(*, district_code: str) -> QuerySet[Village]:
    return Village.objects.filter(district_id=district_code)
