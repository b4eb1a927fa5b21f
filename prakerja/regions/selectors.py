from __future__ import annotations

from django.db.models import QuerySet

from prakerja.core.processcache import ProcessCache
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


# --- Kept per process (core.processcache) --------------------------------------------------

# The region table is a published dataset loaded by ``regions_load``, which empties this
# process's copies (``regions_forget``); other processes keep theirs at most this long.
REGIONS_TTL = 3600.0
_provinces: ProcessCache[tuple[Province, ...]] = ProcessCache("provinces", ttl=REGIONS_TTL)
_regencies: ProcessCache[tuple[Regency, ...]] = ProcessCache("regencies", ttl=REGIONS_TTL)
_districts: ProcessCache[tuple[District, ...]] = ProcessCache("districts", ttl=REGIONS_TTL)
_regency: ProcessCache[Regency | None] = ProcessCache("regency", ttl=REGIONS_TTL)
_district: ProcessCache[District | None] = ProcessCache("district", ttl=REGIONS_TTL)


def regions_forget() -> None:
    for cache in (_provinces, _regencies, _districts, _regency, _district):
        cache.forget()


def provinces_all() -> tuple[Province, ...]:
    """Every province in code order (read-only, like everything below: shared by threads)."""
    return _provinces.get("all", lambda: tuple(Province.objects.all()))


def regencies_of(province_code: str) -> tuple[Regency, ...]:
    return _regencies.get(
        province_code, lambda: tuple(Regency.objects.filter(province_id=province_code))
    )


def districts_of(regency_code: str) -> tuple[District, ...]:
    return _districts.get(
        regency_code, lambda: tuple(District.objects.filter(regency_id=regency_code))
    )


def regency_get(code: str) -> Regency | None:
    """The regency with its province attached, or None."""
    return _regency.get(
        code, lambda: Regency.objects.select_related("province").filter(code=code).first()
    )


def district_get(code: str) -> District | None:
    """The district with its regency and province attached, or None."""
    return _district.get(
        code,
        lambda: District.objects.select_related("regency__province").filter(code=code).first(),
    )
