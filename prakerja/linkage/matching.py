"""Probabilistic matching of reported workers to registrants: name normalisation + Splink 5.

Pure functions over polars frames, no ORM: the linkage job (``services.linkage_run_execute``),
the quality test and the benchmark all call ``match_frames``. NIKs arrive here decrypted, live
only in these in-memory frames and the DuckDB in-memory database, and never leave this module
except as match weights.

Why fixed m/u parameters instead of training: an EM run depends on the data it is given, so the
same report could link on Monday and not on Tuesday after another regency's list arrived. The
parameters below are set from what the data look like (a typo in a NIK digit is rare between two
different people, birth dates collide about 1 in 15,000 between strangers, ...), which makes
every run reproducible and needs no labelled data. Their values are checked by the quality test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

# Titles and degrees that say nothing about who someone is; removed before comparing.
_TITLE_TOKENS = frozenset(
    [
        "h",
        "hj",
        "haji",
        "hajah",
        "hajjah",
        "dr",
        "drs",
        "dra",
        "ir",
        "prof",
        "kh",
        "bpk",
        "bapak",
        "ibu",
        "sdr",
        "sdri",
        "ny",
        "nn",
        "tn",
        "ust",
        "ustadz",
        "st",
        "se",
        "sh",
        "spd",
        "sag",
        "ssos",
        "skom",
        "sked",
        "sip",
        "mm",
        "mpd",
        "mag",
        "msi",
        "amd",
        "ap",
        "ssi",
        "sp",
        "spt",
        "mh",
    ]
)
_MUHAMMAD_TOKENS = frozenset(
    [
        "m",
        "md",
        "mhd",
        "moh",
        "moch",
        "mochamad",
        "mochammad",
        "mohamad",
        "mohammad",
        "mohammed",
        "muh",
        "muhamad",
        "muhammad",
        "muhammed",
        "mukhamad",
        "mukhammad",
    ]
)
_AHMAD_TOKENS = frozenset(["ahmad", "achmad", "akhmad", "ahmat", "achmat"])

# Degrees written after the name ("Budi, S.Pd.", "Siti Aminah S.E.").
_DEGREE_RE = r"\b(s|m|d)\.\s?[a-z]{1,5}\.?"


def name_normalise(name: str) -> str:
    """One spelling per name: lower case, titles and degrees out, Muhammad/Moh./M. as one,
    the pre-1972 spellings (oe, dj, tj, nj, sj, ch) in today's form, doubled letters single.

    The polars version below must give the same result; a test compares them.
    """
    text = name.lower().split(",")[0]
    text = re.sub(_DEGREE_RE, " ", text)
    text = re.sub(r"[^a-z]+", " ", text)
    tokens = []
    for token in text.split():
        if token in _TITLE_TOKENS:
            continue
        if token in _MUHAMMAD_TOKENS:
            tokens.append("muhammad")
            continue
        if token in _AHMAD_TOKENS:
            tokens.append("ahmad")
            continue
        tokens.append(_spelling(token))
    # Doubled letters single, over the whole name ("Muhammad" and "Muhamad" alike).
    return re.sub(r"([a-z])\1+", r"\1", " ".join(tokens))


def _spelling(token: str) -> str:
    token = token.replace("oe", "u").replace("dj", "j").replace("tj", "c")
    return token.replace("nj", "ny").replace("sj", "sy").replace("ch", "h").replace("kh", "h")


def name_normalise_expr(column: str) -> pl.Expr:
    """``name_normalise`` as a polars expression (vectorised over a million names)."""
    text = pl.col(column).fill_null("").str.to_lowercase().str.split(",").list.first()
    text = text.str.replace_all(_DEGREE_RE, " ").str.replace_all(r"[^a-z]+", " ")
    tokens = text.str.strip_chars().str.split(" ")
    words = pl.element()
    mapped = (
        pl.when(words.is_in(list(_TITLE_TOKENS)) | (words == ""))
        .then(pl.lit(None, dtype=pl.String))
        .when(words.is_in(list(_MUHAMMAD_TOKENS)))
        .then(pl.lit("muhammad"))
        .when(words.is_in(list(_AHMAD_TOKENS)))
        .then(pl.lit("ahmad"))
        .otherwise(
            words.str.replace_all("oe", "u", literal=True)
            .str.replace_all("dj", "j", literal=True)
            .str.replace_all("tj", "c", literal=True)
            .str.replace_all("nj", "ny", literal=True)
            .str.replace_all("sj", "sy", literal=True)
            .str.replace_all("ch", "h", literal=True)
            .str.replace_all("kh", "h", literal=True)
        )
    )
    joined = tokens.list.eval(mapped.drop_nulls()).list.join(" ")
    # Doubled letters single: polars regex has no backreferences, so one pass per letter.
    for letter in "abcdefghijklmnopqrstuvwxyz":
        joined = joined.str.replace_all(f"{letter}{letter}+", letter)
    return joined


# --- The Splink model --------------------------------------------------------------------

# Prior: about one registrant in two million is a given reported worker (100,000 reports
# against 1,000,000 registrants, roughly half of them registered).
PRIOR_MATCH_PROBABILITY = 5e-7
AUTO_LINK_PROBABILITY = 0.99
REVIEW_PROBABILITY = 0.5


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    m: float
    u: float


def _levels() -> dict[str, list[Level]]:
    # (m, u): m = share of true matches at this level, u = share of random pairs.
    return {
        "nama": [
            Level("sama", "name_norm_l = name_norm_r", 0.62, 0.0005),
            Level(
                "beda 1 huruf",
                "damerau_levenshtein(name_norm_l, name_norm_r) <= 1",
                0.2,
                0.0003,
            ),
            Level(
                "sangat mirip",
                "jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.92",
                0.1,
                0.002,
            ),
            Level(
                "mirip",
                "jaro_winkler_similarity(name_norm_l, name_norm_r) >= 0.84",
                0.075,
                0.01,
            ),
            Level("berbeda", "ELSE", 0.005, 0.9875),
        ],
        "tanggal_lahir": [
            Level("sama", "birth_date_l = birth_date_r", 0.88, 1 / 15000),
            Level(
                "beda 1 angka",
                "damerau_levenshtein(birth_date_l, birth_date_r) <= 1",
                0.08,
                0.0015,
            ),
            Level("berbeda", "ELSE", 0.04, 0.998),
        ],
        "kabupaten": [
            Level("sama", "regency_l = regency_r", 0.9, 0.05),
            Level("berbeda", "ELSE", 0.1, 0.95),
        ],
        "nik": [
            Level("sama", "nik_l = nik_r", 0.3, 1e-9),
            # A NIK carries the birth date (digits 7-12), so when both birth dates are known
            # and compared, a one-digit NIK difference adds little beyond them: neighbours
            # born the same day get consecutive serials or adjacent district codes. Only
            # when a birth date is missing does the near-identical NIK carry that weight.
            Level(
                "beda 1 angka, tanggal lahir kosong",
                "damerau_levenshtein(nik_l, nik_r) <= 1"
                " AND (birth_date_l IS NULL OR birth_date_r IS NULL)",
                0.045,
                1e-7,
            ),
            Level("beda 1 angka", "damerau_levenshtein(nik_l, nik_r) <= 1", 0.405, 1e-3),
            Level("berbeda", "ELSE", 0.25, 1.0),
        ],
    }


# Column used by each comparison (for the null level and for the evidence shown).
COMPARISON_COLUMNS = {
    "nama": "name_norm",
    "tanggal_lahir": "birth_date",
    "kabupaten": "regency",
    "nik": "nik",
}


def level_weights() -> dict[str, dict[str, float]]:
    """Match weight (log2 m/u) of each level, for the evidence page's legend."""
    return {
        name: {lv.label: round(math.log2(lv.m / lv.u), 2) for lv in levels}
        for name, levels in _levels().items()
    }


def _settings() -> object:
    from splink import SettingsCreator, block_on
    from splink.comparison_level_library import CustomLevel, ElseLevel, NullLevel
    from splink.comparison_library import CustomComparison
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

    comparisons: list[ComparisonCreator | dict[str, Any]] = []
    for name, levels in _levels().items():
        column = COMPARISON_COLUMNS[name]
        creators: list[ComparisonLevelCreator | dict[str, Any]] = [NullLevel(column)]
        for level in levels:
            creator = ElseLevel() if level.sql == "ELSE" else CustomLevel(level.sql, level.label)
            creators.append(creator.configure(m_probability=level.m, u_probability=level.u))
        comparisons.append(
            CustomComparison(
                comparison_levels=creators,
                output_column_name=name,
                comparison_description=name,
            )
        )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        # Never all pairs: a candidate shares a birth date and regency, or a normalised name
        # and birth year, or a normalised name and regency, or the NIK's region+birth-date
        # half (a one-digit NIK typo leaves one half intact, and the other half is caught by
        # the birth date rules).
        blocking_rules_to_generate_predictions=[
            block_on("birth_date", "regency"),
            block_on("name_norm", "birth_year"),
            block_on("name_norm", "regency"),
            block_on("name_prefix", "birth_year", "regency"),
            block_on("nik_head"),
        ],
        probability_two_random_records_match=PRIOR_MATCH_PROBABILITY,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


PREPARED_COLUMNS = (
    "unique_id",
    "name_norm",
    "name_prefix",
    "birth_date",
    "birth_year",
    "regency",
    "nik",
    "nik_head",
)
# The blocking keys that need no NIK (see ``candidate_filter``).
_PLAIN_BLOCKING_KEYS = (
    ("birth_date", "regency"),
    ("name_norm", "birth_year"),
    ("name_norm", "regency"),
    ("name_prefix", "birth_year", "regency"),
)


def nik_birth_date_expr(column: str) -> pl.Expr:
    """The birth date a NIK encodes (digits 7-12 as DDMMYY, day + 40 for women), as ISO text;
    null when the digits are not a date."""
    nik = pl.col(column)
    day = nik.str.slice(6, 2).cast(pl.Int32, strict=False)
    day = pl.when(day > 40).then(day - 40).otherwise(day)
    year = nik.str.slice(10, 2).cast(pl.Int32, strict=False)
    # Nobody registering was born more than ~75 years ago or in the future.
    year = pl.when(year <= 25).then(year + 2000).otherwise(year + 1900)
    text = pl.format(
        "{}-{}-{}",
        year.cast(pl.String),
        nik.str.slice(8, 2),
        day.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False).cast(pl.String)


def prepare_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the derived columns the model compares and blocks on.

    Input columns: ``unique_id`` (int), ``full_name``, ``birth_date`` (date or ISO text or
    null), ``regency`` (code text or null), ``nik`` (decrypted text or null).

    A missing birth date is taken from the NIK (lists often leave the column empty, and the
    NIK carries it): the pair can then be found by the birth-date blocking rule, and the NIK
    comparison does not count the same digits twice (see the "nik" levels).
    """
    return (
        frame.with_columns(
            name_norm=name_normalise_expr("full_name"),
            birth_date=pl.coalesce(
                pl.col("birth_date").cast(pl.String), nik_birth_date_expr("nik")
            ),
        )
        .with_columns(
            birth_year=pl.col("birth_date").str.slice(0, 4),
            nik_head=pl.col("nik").str.slice(0, 12),
            name_prefix=pl.col("name_norm").str.slice(0, 3),
        )
        .select(*PREPARED_COLUMNS)
    )


def candidate_filter(reports: pl.DataFrame, registrants: pl.DataFrame) -> pl.Series:
    """Boolean mask of registrants that share a blocking key with some report (ignoring the
    NIK rule), so the job decrypts only their NIKs and not a million of them."""
    indexed = registrants.with_row_index("_i")
    hits = [
        indexed.join(reports.select(*keys).unique(), on=list(keys), how="semi")["_i"]
        for keys in _PLAIN_BLOCKING_KEYS
    ]
    wanted = pl.concat(hits).unique()
    return indexed["_i"].is_in(wanted.implode())


def match_with_candidates(
    reports_raw: pl.DataFrame,
    registrants_raw: pl.DataFrame,
    *,
    decrypt: Callable[[str], str],
    progress: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Prepare both frames, decrypt only the NIKs of registrants that share a blocking key
    with some report, and score with Splink (``match_frames``).

    ``reports_raw`` has a decrypted ``nik``; ``registrants_raw`` an encrypted
    ``nik_encrypted`` that ``decrypt`` opens.
    """
    reports = prepare_frame(reports_raw)
    # Names are normalised once for the million registrants; the candidates then only gain
    # their NIK columns (and a birth date from the NIK where the registration has none).
    plain = prepare_frame(
        registrants_raw.with_columns(nik=pl.lit(None, dtype=pl.String))
    ).with_columns(registrants_raw["nik_encrypted"])
    keep = candidate_filter(reports, plain)
    candidates = plain.filter(keep)
    niks = [decrypt(token) for token in candidates["nik_encrypted"].to_list()]
    candidates = candidates.with_columns(nik=pl.Series(niks, dtype=pl.String)).with_columns(
        birth_date=pl.coalesce("birth_date", nik_birth_date_expr("nik")),
        nik_head=pl.col("nik").str.slice(0, 12),
    )
    candidates = candidates.with_columns(birth_year=pl.col("birth_date").str.slice(0, 4)).select(
        *PREPARED_COLUMNS
    )
    return match_frames(reports, candidates, progress=progress)


def match_frames(
    reports: pl.DataFrame,
    registrants: pl.DataFrame,
    *,
    threshold: float = REVIEW_PROBABILITY,
    progress: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """Score candidate pairs with Splink on an in-memory DuckDB; keep those at or above
    ``threshold`` and, per report, only the best registrant.

    Both frames come from ``prepare_frame``. Returns ``report_id, registration_id,
    match_probability, match_weight`` plus one ``mw_<comparison>`` and ``gamma_<comparison>``
    column per comparison.
    """
    from splink import DuckDBAPI, Linker

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        db_api = DuckDBAPI(connection=con)
        left = db_api.register(reports, table_name="reports")
        right = db_api.register(registrants, table_name="registrants")
        linker = Linker([left, right], _settings(), log_level=None)  # type: ignore[arg-type]
        if progress:
            progress("predict")
        predicted = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        weight_columns = ", ".join(f"mw_{name}, gamma_{name}" for name in COMPARISON_COLUMNS)
        # Splink's link_only puts the lower source dataset name on the left ("registrants"
        # sorts before "reports"), so orient each pair explicitly.
        # Only our own column names and Splink's table name are interpolated, never data.
        sql = f"""
            WITH oriented AS (
              SELECT
                CASE WHEN source_dataset_l = 'reports' THEN unique_id_l ELSE unique_id_r END
                  AS report_id,
                CASE WHEN source_dataset_l = 'reports' THEN unique_id_r ELSE unique_id_l END
                  AS registration_id,
                match_probability, match_weight, {weight_columns}
              FROM {predicted.physical_name}
            )
            SELECT * FROM oriented
            QUALIFY row_number() OVER (
              PARTITION BY report_id ORDER BY match_weight DESC, registration_id
            ) = 1
            ORDER BY report_id
            """  # noqa: S608
        table = con.sql(sql).pl()
    finally:
        con.close()
    return table
