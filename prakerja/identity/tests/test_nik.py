from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.identity.nik import (
    RegionCatalog,
    kk_mask,
    kk_parse,
    nik_build,
    nik_mask,
    nik_parse,
    region_catalog,
)
from prakerja.identity.tests.factories import (
    KK_SURABAYA,
    NIK_MAN_SURABAYA,
    NIK_WOMAN_SURABAYA,
    fake_nik,
)

TODAY = date(2025, 6, 1)


def codes(issues: list) -> list[str]:
    return [issue.code for issue in issues]


# (NIK as typed, province, regency, district, birth date, gender, serial)
WORKED_EXAMPLES = [
    (NIK_WOMAN_SURABAYA, "35", "3578", "357801", date(1990, 8, 17), "P", "0001"),
    (NIK_MAN_SURABAYA, "35", "3578", "357801", date(1990, 8, 17), "L", "0002"),
    ("3578 0157 0890 0001", "35", "3578", "357801", date(1990, 8, 17), "P", "0001"),
    ("3578.0157.0890.0001", "35", "3578", "357801", date(1990, 8, 17), "P", "0001"),
    (" 3578015708900001\n", "35", "3578", "357801", date(1990, 8, 17), "P", "0001"),
    ("3507120501010003", "35", "3507", "350712", date(2001, 1, 5), "L", "0003"),
    ("3273017112859999", "32", "3273", "327301", date(1985, 12, 31), "P", "9999"),
    ("1101014101650010", "11", "1101", "110101", date(1965, 1, 1), "P", "0010"),
]


@pytest.mark.parametrize(
    ("value", "province", "regency", "district", "birth_date", "gender", "serial"),
    WORKED_EXAMPLES,
)
def test_it_reads_region_birth_date_gender_and_serial_from_a_nik(
    value: str,
    province: str,
    regency: str,
    district: str,
    birth_date: date,
    gender: str,
    serial: str,
) -> None:
    result = nik_parse(value, today=TODAY)

    assert result.ok
    assert result.errors == []
    assert result.warnings == []
    assert len(result.value) == 16
    assert (result.province_code, result.regency_code, result.district_code) == (
        province,
        regency,
        district,
    )
    assert result.birth_date == birth_date
    assert result.gender == gender
    assert result.serial == serial


def test_the_worked_example_is_a_woman_born_17_august_1990_in_surabaya() -> None:
    result = nik_parse("3578015708900001", today=TODAY)

    assert result.gender == "P"
    assert result.birth_date == date(1990, 8, 17)
    assert result.regency_code == "3578"
    assert result.district_code == "357801"
    assert "3578" in region_catalog().regencies


def test_it_normalises_spaces_and_dots_away() -> None:
    assert nik_parse("3578 0157.0890 0001", today=TODAY).value == NIK_WOMAN_SURABAYA


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("357801570890001", "nik.length"),
        ("35780157089000011", "nik.length"),
        ("", "nik.length"),
        ("35780157089000O1", "nik.non_digit"),
        ("3578-0157-0890-01", "nik.non_digit"),
        ("٣٥٧٨٠١٥٧٠٨٩٠٠٠٠١", "nik.non_digit"),
        ("３５７８０１５７０８９０００１", "nik.non_digit"),
        ("9978015708900001", "nik.province_unknown"),
        ("0078015708900001", "nik.province_unknown"),
        ("3578010008900001", "nik.date_invalid"),
        ("3578013208900001", "nik.date_invalid"),
        ("3578014008900001", "nik.date_invalid"),
        ("3578017208900001", "nik.date_invalid"),
        ("3578011713900001", "nik.date_invalid"),
        ("3578011700900001", "nik.date_invalid"),
        ("3578013002900001", "nik.date_invalid"),
        ("3578017002900001", "nik.date_invalid"),
        ("3578013104900001", "nik.date_invalid"),
        ("3578015708900000", "nik.serial_zero"),
    ],
)
def test_it_rejects_an_impossible_nik_with_a_stable_error_code(value: str, code: str) -> None:
    result = nik_parse(value, today=TODAY)

    assert not result.ok
    assert code in codes(result.errors)


def test_it_reports_length_and_characters_together_and_reads_nothing_else() -> None:
    result = nik_parse("35a7", today=TODAY)

    assert codes(result.errors) == ["nik.length", "nik.non_digit"]
    assert result.province_code is None
    assert result.birth_date is None
    assert result.gender is None


def test_it_reports_every_problem_of_a_16_digit_nik_at_once() -> None:
    result = nik_parse("9978013208900000", today=TODAY)

    assert codes(result.errors) == ["nik.province_unknown", "nik.date_invalid", "nik.serial_zero"]


def test_it_explains_errors_in_indonesian() -> None:
    messages = {
        issue.code: str(issue.message)
        for value in ["123", "35780157089000O1", "9978013208900000"]
        for issue in nik_parse(value, today=TODAY).errors
    }

    assert messages == {
        "nik.length": "NIK harus terdiri dari 16 angka, yang diisi 3 karakter.",
        "nik.non_digit": "NIK hanya boleh berisi angka 0–9.",
        "nik.province_unknown": (
            "Dua angka pertama NIK (99) bukan kode provinsi yang dikenal. "
            "Periksa kembali NIK pada KTP."
        ),
        "nik.date_invalid": (
            "Tanggal lahir dalam NIK (angka ke-7 sampai ke-12) bukan tanggal yang mungkin. "
            "Untuk perempuan, tanggal lahir ditambah 40. Periksa kembali NIK pada KTP."
        ),
        "nik.serial_zero": "Empat angka terakhir NIK tidak boleh 0000.",
    }


def test_it_never_puts_the_nik_into_a_message() -> None:
    value = "9978013208900000"
    result = nik_parse(value, stated_birth_date=date(2000, 1, 1), stated_gender="P", today=TODAY)
    for issue in [*result.errors, *result.warnings]:
        assert value not in str(issue.message)
        assert value[6:] not in str(issue.message)


@pytest.mark.parametrize(
    ("ddmmyy", "expected"),
    [
        ("170824", date(2024, 8, 17)),  # last year: this century
        ("310525", date(2025, 5, 31)),  # yesterday
        ("010625", date(2025, 6, 1)),  # born today: age 0
        ("020625", date(1925, 6, 2)),  # tomorrow in 2025 would be the future: 1925
        ("171225", date(1925, 12, 17)),
        ("170830", date(1930, 8, 17)),  # 2030 is in the future: 19yy
        ("170899", date(1999, 8, 17)),
        ("170800", date(2000, 8, 17)),
    ],
)
def test_it_picks_the_most_recent_century_that_is_not_in_the_future(
    ddmmyy: str, expected: date
) -> None:
    result = nik_parse(f"357801{ddmmyy}0001", today=TODAY)

    assert result.ok
    assert result.birth_date == expected


def test_it_reads_a_century_from_the_day_it_is_checked() -> None:
    nik = "3578011708300001"

    assert nik_parse(nik, today=date(2025, 6, 1)).birth_date == date(1930, 8, 17)
    assert nik_parse(nik, today=date(2031, 1, 1)).birth_date == date(2030, 8, 17)


@pytest.mark.parametrize(
    ("ddmmyy", "expected"),
    [
        ("290200", date(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        ("290296", date(1996, 2, 29)),
        ("290224", date(2024, 2, 29)),
        ("690296", date(1996, 2, 29)),  # a woman: 29 + 40
    ],
)
def test_it_accepts_29_february_in_a_leap_year(ddmmyy: str, expected: date) -> None:
    result = nik_parse(f"357801{ddmmyy}0001", today=TODAY)

    assert result.ok
    assert result.birth_date == expected


@pytest.mark.parametrize("ddmmyy", ["290201", "290223", "290290", "690201"])
def test_it_rejects_29_february_in_a_common_year(ddmmyy: str) -> None:
    result = nik_parse(f"357801{ddmmyy}0001", today=TODAY)

    assert codes(result.errors) == ["nik.date_invalid"]
    assert result.birth_date is None
    assert result.gender is None


def test_it_rejects_a_date_with_no_century_giving_an_age_between_0_and_120() -> None:
    # On 15 January 2000, "29-02-00" is either next month (the future) or 29 February 1900,
    # which did not exist (1900 is not a leap year), and 1800 would be over 120 years ago.
    result = nik_parse("3578012902000001", today=date(2000, 1, 15))

    assert codes(result.errors) == ["nik.date_invalid"]


def test_an_unknown_regency_in_a_known_province_is_only_a_warning() -> None:
    result = nik_parse("3599015708900001", today=TODAY)

    assert result.ok
    assert codes(result.warnings) == ["nik.regency_unknown"]
    assert result.regency_code == "3599"
    assert str(result.warnings[0].message).startswith(
        "Kode kabupaten/kota 3599 tidak ada dalam daftar wilayah saat ini."
    )


def test_an_unknown_district_in_a_known_regency_is_only_a_warning() -> None:
    result = nik_parse("3578995708900001", today=TODAY)

    assert result.ok
    assert codes(result.warnings) == ["nik.district_unknown"]


def test_an_unknown_province_is_an_error_without_region_warnings() -> None:
    result = nik_parse("9999995708900001", today=TODAY)

    assert codes(result.errors) == ["nik.province_unknown"]
    assert result.warnings == []


def test_it_warns_when_the_stated_birth_date_differs_from_the_nik() -> None:
    result = nik_parse(NIK_WOMAN_SURABAYA, stated_birth_date=date(1990, 8, 18), today=TODAY)

    assert result.ok
    assert codes(result.warnings) == ["nik.birth_date_mismatch"]


def test_it_warns_when_the_stated_gender_differs_from_the_nik() -> None:
    result = nik_parse(NIK_WOMAN_SURABAYA, stated_gender="L", today=TODAY)

    assert result.ok
    assert codes(result.warnings) == ["nik.gender_mismatch"]


def test_it_does_not_warn_when_the_stated_data_match() -> None:
    result = nik_parse(
        NIK_WOMAN_SURABAYA, stated_birth_date=date(1990, 8, 17), stated_gender="p", today=TODAY
    )

    assert result.warnings == []


def test_it_compares_stated_data_only_with_a_readable_date() -> None:
    result = nik_parse(
        "3578013208900001", stated_birth_date=date(1990, 8, 17), stated_gender="P", today=TODAY
    )

    assert codes(result.errors) == ["nik.date_invalid"]
    assert result.warnings == []


def test_it_uses_the_catalog_it_is_given() -> None:
    catalog = RegionCatalog(
        provinces=frozenset({"35"}), regencies=frozenset({"3578"}), districts=frozenset()
    )

    assert codes(nik_parse(NIK_WOMAN_SURABAYA, today=TODAY, catalog=catalog).warnings) == [
        "nik.district_unknown"
    ]
    assert codes(nik_parse("3273017112859999", today=TODAY, catalog=catalog).errors) == [
        "nik.province_unknown"
    ]


def test_the_catalog_comes_from_the_shipped_csvs_and_is_loaded_once() -> None:
    catalog = region_catalog()

    assert region_catalog() is catalog
    assert len(catalog.provinces) == 38
    assert len(catalog.regencies) == 514
    assert len(catalog.districts) == 7285
    assert {"35", "3578", "357801"} <= catalog.provinces | catalog.regencies | catalog.districts


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("3578015708900001", "3578********0001"),
        ("3578 0157 0890 0001", "3578********0001"),
        ("35780157", "********"),
        ("", ""),
    ],
)
def test_it_masks_all_but_the_first_and_last_four_digits(value: str, masked: str) -> None:
    assert nik_mask(value) == masked
    assert kk_mask(value) == masked


def test_it_builds_a_nik_that_parses_back() -> None:
    nik = fake_nik(district_code="357801", birth_date=date(1990, 8, 17), gender="P", serial=1)

    assert nik == NIK_WOMAN_SURABAYA
    with pytest.raises(ValueError):
        nik_build(district_code="35", birth_date=date(1990, 1, 1), gender="L", serial=1)
    with pytest.raises(ValueError):
        nik_build(district_code="357801", birth_date=date(1990, 1, 1), gender="X", serial=1)


def test_it_accepts_a_kk_with_a_known_province() -> None:
    result = kk_parse("3578 0102 0115 0007")

    assert result.ok
    assert result.value == KK_SURABAYA
    assert (result.province_code, result.regency_code, result.district_code) == (
        "35",
        "3578",
        "357801",
    )
    assert result.masked == "3578********0007"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("357801020115007", "kk.length"),
        ("35780102011500077", "kk.length"),
        ("3578010201150O07", "kk.non_digit"),
        ("9978010201150007", "kk.province_unknown"),
    ],
)
def test_it_rejects_a_malformed_kk(value: str, code: str) -> None:
    result = kk_parse(value)

    assert not result.ok
    assert code in codes(result.errors)


def test_an_unknown_regency_on_a_kk_is_only_a_warning() -> None:
    result = kk_parse("3599010201150007")

    assert result.ok
    assert codes(result.warnings) == ["kk.regency_unknown"]


@given(st.text(max_size=200))
def test_it_never_raises_on_any_string(value: str) -> None:
    result = nik_parse(value, today=TODAY)
    kk_result = kk_parse(value)

    assert result.ok == (not result.errors)
    assert kk_result.ok == (not kk_result.errors)
