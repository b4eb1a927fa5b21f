from __future__ import annotations

from dataclasses import dataclass

from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.identity.nik import NIK_LENGTH, number_normalise
from prakerja.regions.models import Province
from prakerja.regions.selectors import district_get, regency_get


def person_find_by_nik(*, nik: str) -> Person | None:
    """The person with this NIK, found through the blind index (the NIK is never queried)."""
    normalised = number_normalise(nik)
    if len(normalised) != NIK_LENGTH or not normalised.isascii() or not normalised.isdigit():
        return None
    index = crypto.blind_index(normalised, purpose="nik")
    return Person.objects.filter(nik_index=index).first()


@dataclass(frozen=True)
class RegionNames:
    province: str | None
    regency: str | None
    district: str | None


def region_names_get(
    *, province_code: str | None, regency_code: str | None, district_code: str | None
) -> RegionNames:
    """Names for the region codes read from a NIK; None for a code not in the table."""
    district = district_get(district_code) if district_code else None
    if district is not None:
        return RegionNames(district.regency.province.name, district.regency.name, district.name)
    regency = regency_get(regency_code) if regency_code else None
    if regency is not None:
        return RegionNames(regency.province.name, regency.name, None)
    province = Province.objects.filter(code=province_code).first() if province_code else None
    return RegionNames(province.name if province else None, None, None)
