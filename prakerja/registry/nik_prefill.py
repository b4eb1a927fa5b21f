"""What a NIK says, to fill the wizard in from it (issue 16, "NIK first"): the birth date, sex
and region of issue, read with the one NIK parser (``identity.nik``). Reads only."""

from __future__ import annotations

from typing import Any

from prakerja.core.forms import date_parts
from prakerja.identity.nik import NikResult, nik_parse
from prakerja.identity.selectors import region_names_get
from prakerja.registry.models import Gender, Registration


def nik_decoded(result: NikResult) -> dict[str, Any]:
    regions = region_names_get(
        province_code=result.province_code,
        regency_code=result.regency_code,
        district_code=result.district_code,
    )
    return {
        "birth_date": result.birth_date,
        "gender": result.gender or "",
        "gender_label": Gender(result.gender).label if result.gender in Gender.values else "",
        "regions": regions,
    }


def domicile_from_nik(registration: Registration) -> dict[str, str]:
    """The regency and district a stored NIK was issued in (when they are in the region
    table), to start the domicile step from; empty when unknown."""
    person = registration.person if registration.person_id else None
    if person is None:
        return {}
    result = nik_parse(person.nik)
    if not result.ok or not result.district_code:
        return {}
    regions = region_names_get(
        province_code=result.province_code,
        regency_code=result.regency_code,
        district_code=result.district_code,
    )
    if regions.district is None:
        return {}
    return {"regency": result.regency_code or "", "district": result.district_code}


def identity_prefill(
    *, registration: Registration, values: dict[str, Any], errors: dict[str, list[str]]
) -> bool:
    """Without JavaScript: a step sent with a valid NIK but no birth date or sex gets them
    filled in from the NIK (their "wajib diisi" dropped), for the person to confirm on the
    page shown again. True when something was filled in."""
    nik = str(values.get("nik") or "").strip()
    if not nik and registration.person_id and registration.person is not None:
        nik = registration.person.nik
    if not nik or "nik" in errors:
        return False
    result = nik_parse(nik)
    if not result.ok:
        return False
    filled = False
    if result.birth_date and not any(date_parts(values.get("birth_date")).values()):
        values["birth_date"] = result.birth_date.isoformat()
        errors.pop("birth_date", None)
        filled = True
    if not values.get("gender") and result.gender in Gender.values:
        values["gender"] = result.gender
        errors.pop("gender", None)
        filled = True
    return filled
