"""Properties of nik_parse over generated NIKs, for any day the check might run on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from prakerja.identity.nik import nik_build, nik_parse, region_catalog

DISTRICTS = sorted(region_catalog().districts)


@dataclass(frozen=True)
class WellFormed:
    nik: str
    district_code: str
    birth_date: date
    gender: str
    today: date


def _a_century_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 100)
    except ValueError:  # 29 February in a year whose century-earlier twin is not leap
        return day.replace(year=day.year - 100, day=28)


@st.composite
def well_formed_niks(draw: st.DrawFn) -> WellFormed:
    today = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
    # Two year digits repeat every century and the most recent reading wins (someone of 105
    # reads as 5), so only birth dates within the last 100 years can round-trip.
    birth_date = draw(
        st.dates(min_value=_a_century_before(today) + timedelta(days=1), max_value=today)
    )
    district_code = draw(st.sampled_from(DISTRICTS))
    gender = draw(st.sampled_from(["L", "P"]))
    serial = draw(st.integers(min_value=1, max_value=9999))
    nik = nik_build(
        district_code=district_code, birth_date=birth_date, gender=gender, serial=serial
    )
    return WellFormed(nik, district_code, birth_date, gender, today)


@settings(max_examples=300)
@given(well_formed_niks())
def test_it_round_trips_every_well_formed_nik(case: WellFormed) -> None:
    result = nik_parse(case.nik, today=case.today)

    assert result.errors == []
    assert result.warnings == []
    assert result.value == case.nik
    assert result.district_code == case.district_code
    assert result.regency_code == case.district_code[:4]
    assert result.province_code == case.district_code[:2]
    assert result.birth_date == case.birth_date
    assert result.gender == case.gender


@settings(max_examples=150)
@given(well_formed_niks())
def test_it_catches_every_single_digit_typo_in_the_date_part(case: WellFormed) -> None:
    # Given the birth date and gender the person states, a typo in ddmmyy is never silent:
    # either the date becomes impossible or it disagrees with what the person said.
    for position in range(6, 12):
        for digit in "0123456789":
            if digit == case.nik[position]:
                continue
            typo = case.nik[:position] + digit + case.nik[position + 1 :]
            result = nik_parse(
                typo,
                stated_birth_date=case.birth_date,
                stated_gender=case.gender,
                today=case.today,
            )
            flagged = {"nik.birth_date_mismatch", "nik.gender_mismatch"} & {
                warning.code for warning in result.warnings
            }
            assert result.errors or flagged, (position, digit)
