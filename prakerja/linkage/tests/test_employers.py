"""The employer comparison (the registration's last employer against the report's company):
normalisation, the comparison levels on Splink/DuckDB, the large-employer flag and the
automatic-link rule. No database."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.linkage.matching import assign_one_to_one, model, prepare_frame
from prakerja.linkage.matching.employers import (
    LARGE_EMPLOYER_MIN_REGISTRANTS,
    LEGAL_FORMS,
    employer_initials,
    employer_large_column,
    employer_normalise,
    employer_tokens,
)
from prakerja.linkage.matching.frames import match_frames


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("PT. Surya Kencana Tekstil Tbk", "surya kencana tekstil"),
        ("P.T. SURYA-KENCANA", "surya kencana"),
        ("pt surya kencana tekstil", "surya kencana tekstil"),
        ("PT Semen Gresik (Persero) Tbk", "semen gresik"),
        ("CV. Mitra Sejati Konveksi", "mitra sejati konveksi"),
        ("UD. Sumber Rejeki", "sumber rejeki"),
        ("Toko Sumber Rejeki", "toko sumber rejeki"),
        ("PT Pabrik Kertas Tjiwi Kimia", "pabrik kertas ciwi kimia"),
        ("PT Café Jaya", "cafe jaya"),
        ("Hotel Bumi Mas, Unit 2", "hotel bumi mas unit 2"),
        ("PT", ""),
        ("", ""),
    ],
)
def test_it_normalises_employer_names(written: str, normal: str) -> None:
    assert employer_normalise(written) == normal


def test_the_initials_of_a_name_are_its_acronym() -> None:
    assert employer_initials("surya kencana tekstil") == "skt"
    assert employer_initials("sampurna") is None


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: w not in LEGAL_FORMS
)
_NAMES = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)


@given(_NAMES)
def test_normalising_twice_changes_nothing(name: str) -> None:
    once = employer_normalise(name)
    assert employer_normalise(once) == once


@given(
    _NAMES,
    st.sampled_from(["", "PT", "PT.", "P.T.", "CV", "C.V.", "UD.", "pt"]),
    st.sampled_from(["", "Tbk", "(Persero)", "(Persero) Tbk", ", Tbk."]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_legal_form_punctuation_and_case_never_change_the_result(
    name: str, form: str, suffix: str, case: Any
) -> None:
    assert employer_normalise(case(f"{form} {name} {suffix}")) == employer_normalise(name)


@given(_NAMES, st.sampled_from(["Cabang Sidoarjo", "Unit 2", "Plant 3", "Gresik"]))
def test_a_branch_added_keeps_the_name_a_subset(name: str, branch: str) -> None:
    assert set(employer_tokens(name)) <= set(employer_tokens(f"PT {name} {branch}"))


# --- The comparison levels (Splink on DuckDB, the model's starting values) -------------------


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return prepare_frame(
        pl.DataFrame(
            rows,
            schema={
                "unique_id": pl.Int64,
                "full_name": pl.String,
                "birth_date": pl.String,
                "regency": pl.String,
                "nik": pl.String,
                "employer": pl.String,
            },
        )
    )


def _levels(pairs: list[tuple[str, str]], *, large: bool = False) -> list[str]:
    """The employer level of each (report company, registrant's last employer) pair (report
    i against registrant i; the names agree across pairs too, which is left out)."""
    reports, registrants = [], []
    for i, (company, typed) in enumerate(pairs):
        born = f"19{60 + i}-01-0{1 + i % 9}"
        common = {"unique_id": i, "full_name": "Agus Salim", "birth_date": born}
        reports.append({**common, "regency": "3578", "nik": None, "employer": company})
        registrants.append({**common, "regency": "3578", "nik": None, "employer": typed})
    left, right = _frame(reports), _frame(registrants)
    right = right.with_columns(employer_large=pl.lit(large))
    scored, _settings = match_frames(left, right, threshold=0.0)
    labels = _gamma_labels("tempat_kerja")
    own = scored.filter(pl.col("report_id") == pl.col("registration_id"))
    by_report = dict(zip(own["report_id"], own["gamma_tempat_kerja"], strict=True))
    return [labels[by_report[i]] for i in range(len(pairs))]


def _gamma_labels(comparison: str) -> dict[int, str]:
    built = next(
        c.get_comparison("duckdb")
        for c in model.comparisons()
        if c.get_comparison("duckdb").output_column_name == comparison
    )
    return {
        level.comparison_vector_value: level.label_for_charts for level in built.comparison_levels
    }


def test_each_way_of_writing_one_employer_reaches_its_level() -> None:
    formal = "PT SURYA KENCANA TEKSTIL TBK"
    assert _levels(
        [
            (formal, "pt. surya kencana tekstil"),
            (formal, "Surya Kencana Tekstil Cabang Sidoarjo"),
            (formal, "PT SKT"),
            (formal, "PT Surya Kencna Tekstil"),
            (formal, "PT Brantas Abadi Plastik"),
            (formal, ""),
            ("", "PT Surya Kencana Tekstil"),
        ]
    ) == [
        "sama",
        "sama, satu lebih lengkap",
        "singkatan",
        "sangat mirip",
        "berbeda",
        "employer_norm is NULL",
        "employer_norm is NULL",
    ]


def test_agreement_at_a_large_employer_is_its_own_level() -> None:
    assert _levels(
        [("PT Surya Kencana Tekstil", "surya kencana tekstil"), ("PT A B", "PT C D")], large=True
    ) == ["sama, tempat kerja besar", "berbeda"]


def test_an_employer_named_by_many_of_a_regencys_registrants_is_large() -> None:
    many = LARGE_EMPLOYER_MIN_REGISTRANTS
    registrants = pl.DataFrame(
        {
            "regency": ["3578"] * (many + 50) + ["3515"] * 2000,
            "employer_norm": ["surya kencana"] * many
            + [None] * 50
            + ["surya kencana"] * 2
            + ["toko barokah"] * many
            + [None] * (1998 - many),
        }
    )
    rows = pl.DataFrame(
        {
            "regency": ["3515", "3578", "3515"],
            "employer_norm": ["surya kencana", "toko barokah", None],
        }
    )
    # Large in Surabaya (10 of 60): large in Sidoarjo too, where its workers live. Ten of
    # Sidoarjo's 2,000 is not one in a hundred.
    assert employer_large_column(rows, registrants)["employer_large"].to_list() == [
        True,
        False,
        False,
    ]


# --- The automatic-link rule --------------------------------------------------------------


def _gamma(comparison: str, label: str) -> int:
    return next(g for g, lab in _gamma_labels(comparison).items() if lab == label)


def _pair(
    report: int, registrant: int, weight: float, *, name: str = "sama", employer: str = "sama"
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "report_id": report,
        "registration_id": registrant,
        "match_probability": 1 - 2.0**-weight,
        "match_weight": weight,
        "reg_kk_key": None,
        "reg_birth_date": "1990-08-17",
        "report_sex": "L",
        "reg_sex": "L",
    }
    levels = {
        "nama": name,
        "tanggal_lahir": "sama",
        "jenis_kelamin": "sama",
        "nomor_hp": "phone is NULL",
        "nik": "beda hanya di nomor urut",  # what a namesake's NIK looks like
        "kabupaten": "sama",
        "tempat_kerja": employer,
    }
    for comparison in model.COMPARISONS:
        row[f"gamma_{comparison}"] = _gamma(comparison, levels[comparison])
        row[f"mw_{comparison}"] = 0.0
    return row


def _decided(*pairs: dict[str, Any]) -> dict[tuple[int, int], str]:
    chosen = assign_one_to_one(pl.DataFrame(list(pairs)))
    return {
        (r["report_id"], r["registration_id"]): r["review_reason"]
        for r in chosen.iter_rows(named=True)
    }


def test_names_and_employer_agreeing_identify_the_person() -> None:
    assert _decided(_pair(1, 10, 20.0)) == {(1, 10): ""}


@pytest.mark.parametrize(
    ("name", "employer"),
    [
        ("sama", "sama, tempat kerja besar"),  # a big factory: namesakes work there too
        ("sama", "berbeda"),
        ("sama", "employer_norm is NULL"),
        ("sangat mirip", "sama"),  # a sibling at the family's factory
    ],
)
def test_without_full_names_and_a_telling_employer_a_person_decides(
    name: str, employer: str
) -> None:
    assert _decided(_pair(1, 10, 20.0, name=name, employer=employer)) == {(1, 10): "not_identified"}


def test_a_dropped_name_and_the_employer_identify() -> None:
    # "Rizki" for "Muhammad Rizki", at the same (not large) employer.
    decided = _decided(_pair(1, 10, 20.0, name="satu nama tidak ditulis"))
    assert decided == {(1, 10): ""}
    decided = _decided(_pair(1, 10, 20.0, name="hanya satu nama umum yang sama"))
    assert decided == {(1, 10): ""}


def test_two_candidates_at_one_employer_go_to_review_however_far_apart() -> None:
    # Twins or namesakes at one factory: the employer does not tell them apart.
    decided = _decided(_pair(1, 10, 24.0), _pair(1, 11, 12.0))
    assert decided == {(1, 10): "not_identified"}
    decided = _decided(_pair(1, 10, 24.0), _pair(2, 10, 12.0))
    assert decided[1, 10] == "not_identified"


def test_another_candidate_elsewhere_does_not_stop_the_employer_from_telling() -> None:
    decided = _decided(_pair(1, 10, 24.0), _pair(1, 11, 12.0, employer="berbeda"))
    assert decided == {(1, 10): ""}
