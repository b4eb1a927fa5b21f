"""The NIK and name comparison levels (issue 12): which level a pair reaches, through Splink on
DuckDB with the model's starting values, and the common-name flag they rest on."""

from __future__ import annotations

from typing import Any

import polars as pl

from prakerja.linkage.matching import prepare_frame
from prakerja.linkage.matching.frames import match_frames
from prakerja.linkage.matching.names import common_names, name_common_column
from prakerja.linkage.tests.test_employers import _gamma_labels

_SCHEMA = {
    "unique_id": pl.Int64,
    "full_name": pl.String,
    "birth_date": pl.String,
    "regency": pl.String,
    "nik": pl.String,
}


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return prepare_frame(pl.DataFrame(rows, schema=_SCHEMA))


def _levels(
    comparison: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]], crowd: int = 0
) -> list[str]:
    """The level of ``comparison`` for report i against registrant i. ``crowd`` more
    registrants named "Siti <something>" make "siti" a common name."""
    reports, registrants = [], []
    for i, (report, registrant) in enumerate(pairs):
        common = {"unique_id": i, "regency": "3578", "birth_date": f"19{60 + i}-05-17"}
        reports.append({**common, "full_name": "Agus Salim", "nik": None, **report})
        registrants.append({**common, "full_name": "Agus Salim", "nik": None, **registrant})
    for j in range(crowd):
        registrants.append(
            {
                "unique_id": 1000 + j,
                "regency": "3571",
                "birth_date": "1950-01-01",
                "full_name": f"Siti Nama{chr(97 + j % 26)}{chr(97 + j // 26)}",
                "nik": None,
            }
        )
    right = _frame(registrants)
    words = common_names(right)
    left = name_common_column(_frame(reports), words)
    right = name_common_column(right, words)
    scored, _settings = match_frames(left, right, threshold=0.0)
    labels = _gamma_labels(comparison)
    own = scored.filter(pl.col("report_id") == pl.col("registration_id"))
    by_report = dict(zip(own["report_id"], own[f"gamma_{comparison}"], strict=True))
    return [labels[by_report[i]] for i in range(len(pairs))]


# Born 17 May 1990 (the NIK's date part 170590), district 357802 of Surabaya, serial 0001.
NIK = "3578021705900001"


def _nik_pair(report_nik: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"nik": report_nik}, {"nik": NIK}


def test_a_neighbours_nik_is_weak_evidence_and_a_typo_is_strong() -> None:
    assert _levels(
        "nik",
        [
            # The next serial, or the same serial in the next district: a neighbour's NIK.
            _nik_pair("3578021705900002"),
            _nik_pair("3578031705900001"),
            # A serial no same-day neighbour has (0101), or two of its digits swapped (0010).
            _nik_pair("3578021705900101"),
            _nik_pair("3578021705900010"),
            # Two digits swapped across the district and the date (…1|2… for …2|1…), or
            # across the regency and the district: no one born that day nearby has it.
            _nik_pair("3578012705900001"),
            _nik_pair("3570821705900001"),
            # One digit off in the date.
            _nik_pair("3578021805900001"),
        ],
    ) == [
        "beda hanya di nomor urut",
        "beda 1 angka di kode kecamatan",
        "beda 1 angka di nomor urut",
        "beda 1 angka di nomor urut",
        "beda 1 angka di kode wilayah/tanggal",
        "beda 1 angka di kode wilayah/tanggal",
        "beda 1 angka di kode wilayah/tanggal",
    ]


def test_a_dropped_name_is_its_own_level_unless_a_lone_common_name_is_left() -> None:
    pairs = [
        ({"full_name": "Rizki"}, {"full_name": "Muhammad Rizki"}),
        ({"full_name": "SITI"}, {"full_name": "Siti Aminah"}),
        ({"full_name": "Aminah Siti"}, {"full_name": "St. Aminah"}),
        ({"full_name": "M. Hadi"}, {"full_name": "Mulyono Hadi"}),
    ]
    assert _levels("nama", pairs, crowd=30) == [
        "satu nama tidak ditulis",
        "hanya satu nama umum yang sama",
        "sama",
        "sama, dengan inisial",
    ]
    # With few Sitis among the registrants, "Siti" is no common name.
    assert _levels("nama", pairs[1:2])[0] == "satu nama tidak ditulis"


def test_a_single_common_word_is_a_common_name_and_a_longer_name_is_not() -> None:
    registrants = _frame(
        [
            {"unique_id": i, "full_name": name, "birth_date": None, "regency": "3578", "nik": None}
            for i, name in enumerate(["Siti Aminah"] * 12 + ["Rizki Ananda"] * 3)
        ]
    )
    names = _frame(
        [
            {"unique_id": i, "full_name": name, "birth_date": None, "regency": "3578", "nik": None}
            for i, name in enumerate(["Siti", "St.", "Rizki", "Siti Aminah"])
        ]
    )
    assert name_common_column(names, common_names(registrants))["name_common"].to_list() == [
        True,
        True,
        False,
        False,
    ]
