"""From the job's frames to scored pairs: derived columns, candidate filter, Splink.

Pure functions over polars frames, no ORM: the linkage job, the quality test and the benchmark
all call ``match_with_candidates``. NIKs arrive here decrypted, live only in these in-memory
frames and the in-memory DuckDB, and leave this module only as match weights. The KK is never
decrypted: the report's NIK is hashed with the KK blind-index key (``kk_key``) and compared
with the registrant's KK index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from prakerja.linkage.matching import model
from prakerja.linkage.matching.employers import employer_columns, employer_large_column
from prakerja.linkage.matching.names import common_names, name_columns, name_common_column

PROVINCE_REGISTRANTS = 200_000
PREPARED_COLUMNS = (
    "unique_id",
    "name_norm",
    "name_sorted",
    "name_tokens",
    "name_first",
    "name_last",
    "name_initial",
    "birth_date",
    "sex",
    "phone",
    "regency",
    "nik",
    "nik_date",
    "nik_district_known",
    "kk_key",
    "employer_norm",
    "employer_tokens",
    "employer_initials",
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
        "{}-{}-{}", year.cast(pl.String), nik.str.slice(8, 2), day.cast(pl.String).str.zfill(2)
    )
    return text.str.to_date("%Y-%m-%d", strict=False).cast(pl.String)


def nik_sex_expr(column: str) -> pl.Expr:
    """The sex a NIK encodes: women's birth day has 40 added."""
    day = pl.col(column).str.slice(6, 2).cast(pl.Int32, strict=False)
    return pl.when(day > 40).then(pl.lit("P")).when(day >= 1).then(pl.lit("L"))


def nik_district_known_expr(column: str) -> pl.Expr:
    """Whether the NIK's first six digits are a district that exists. Every person's NIK
    names a real district, so a NIK one digit off in a district code that does not exist is a
    typo, not a neighbour from the next district."""
    from prakerja.identity.nik import region_catalog

    return pl.col(column).str.slice(0, 6).is_in(list(region_catalog().districts))


def phone_expr(column: str) -> pl.Expr:
    """The national number, digits only ("+62 812-…", "0812…" and "62812…" alike)."""
    digits = pl.col(column).cast(pl.String).str.replace_all(r"[^0-9]", "")
    national = digits.str.replace(r"^(62|0)", "")
    return pl.when(national.str.len_chars() >= 8).then(national)


def _optional(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column in frame.columns:
        return pl.col(column).cast(pl.String)
    return pl.lit(None, dtype=pl.String)


def prepare_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the derived columns the model compares and blocks on.

    Input: ``unique_id``, ``full_name``, ``birth_date``, ``regency``, ``nik`` (decrypted, or
    null), and optionally ``gender`` ("L"/"P"), ``phone``, ``kk_key`` and ``employer`` (the
    registration's last employer, the report's company).

    A missing birth date or sex is taken from the NIK (lists often leave them empty, and the
    NIK carries both); a stated one wins, since a KK typed as the NIK decodes to nonsense.
    """
    frame = employer_columns(name_columns(frame.with_columns(pl.col("full_name").cast(pl.String))))
    tokens = pl.col("name_sorted").str.split(" ")
    written = pl.col("name_norm").str.split(" ")
    gender = _optional(frame, "gender")
    return frame.with_columns(
        name_tokens=tokens,
        # Blocking keys: a first or last name of two letters or more (an initial blocks on
        # too much).
        name_first=pl.when(written.list.first().str.len_chars() > 1).then(written.list.first()),
        name_last=pl.when(written.list.last().str.len_chars() > 1).then(written.list.last()),
        name_initial=pl.col("name_sorted").str.slice(0, 1),
        birth_date=pl.coalesce(pl.col("birth_date").cast(pl.String), nik_birth_date_expr("nik")),
        sex=pl.when(gender.is_in(["L", "P"])).then(gender).otherwise(nik_sex_expr("nik")),
        phone=phone_expr("phone") if "phone" in frame.columns else pl.lit(None, pl.String),
        regency=pl.col("regency").cast(pl.String),
        nik_date=pl.col("nik").str.slice(6, 6),
        nik_district_known=nik_district_known_expr("nik"),
        kk_key=_optional(frame, "kk_key"),
    ).select(*PREPARED_COLUMNS)


def candidate_filter(reports: pl.DataFrame, registrants: pl.DataFrame) -> pl.Series:
    """Boolean mask of registrants that share a blocking key with some report, so the job
    decrypts only their NIKs and not a million of them. The NIK-date rule is approximated by
    the registrant's birth date (which their NIK carries)."""
    indexed = registrants.with_row_index("_i")
    hits = []
    for keys in model.PLAIN_BLOCKING_KEYS:
        wanted = reports.select(*keys).drop_nulls().unique()
        hits.append(indexed.join(wanted, on=list(keys), how="semi")["_i"])
    by_nik = reports.select(
        birth_date=nik_birth_date_expr("nik"), name_initial="name_initial"
    ).drop_nulls()
    hits.append(indexed.join(by_nik.unique(), on=["birth_date", "name_initial"], how="semi")["_i"])
    return indexed["_i"].is_in(pl.concat(hits).unique().implode())


def match_with_candidates(
    reports_raw: pl.DataFrame,
    registrants_raw: pl.DataFrame,
    *,
    decrypt: Callable[[str], str],
    kk_key: Callable[[str], str] = lambda nik: nik,
    progress: Callable[[str], None] | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Prepare both frames, decrypt only the NIKs of registrants that share a blocking key
    with some report, train and score (``match_frames``).

    ``reports_raw`` has a decrypted ``nik``; ``registrants_raw`` an encrypted
    ``nik_encrypted`` that ``decrypt`` opens, and the KK blind index as ``kk_key``;
    ``kk_key`` turns a report's NIK into that index.
    """
    reports = prepare_frame(
        reports_raw.with_columns(
            kk_key=pl.col("nik").map_elements(kk_key, return_dtype=pl.String, skip_nulls=True)
        )
    )
    plain = prepare_frame(
        registrants_raw.with_columns(nik=pl.lit(None, dtype=pl.String))
    ).with_columns(registrants_raw["nik_encrypted"])
    common = common_names(plain)
    reports = name_common_column(employer_large_column(reports, plain), common)
    candidates = name_common_column(
        employer_large_column(plain.filter(candidate_filter(reports, plain)), plain), common
    )
    niks = [decrypt(token) for token in candidates["nik_encrypted"].to_list()]
    gender = registrants_raw.select("unique_id", _optional(registrants_raw, "gender").alias("g"))
    candidates = (
        candidates.with_columns(nik=pl.Series(niks, dtype=pl.String))
        .join(gender, on="unique_id", how="left")
        .with_columns(
            birth_date=pl.coalesce("birth_date", nik_birth_date_expr("nik")),
            sex=pl.when(pl.col("g").is_in(["L", "P"])).then("g").otherwise(nik_sex_expr("nik")),
            nik_date=pl.col("nik").str.slice(6, 6),
            nik_district_known=nik_district_known_expr("nik"),
        )
        .select(*PREPARED_COLUMNS, "employer_large", "name_common")
    )
    return match_frames(reports, candidates, progress=progress)


def _oriented(table: str, columns: list[str]) -> str:
    # Splink's link_only puts the lower source dataset name on the left ("registrants" sorts
    # before "reports"), so orient each pair explicitly. Only our own column names and
    # Splink's table name are interpolated, never data.
    left = "source_dataset_l = 'reports'"
    picked = [
        f"CASE WHEN {left} THEN {c}_r ELSE {c}_l END AS reg_{c}" for c in ("kk_key", "birth_date")
    ]
    picked += [f"CASE WHEN {left} THEN sex_l ELSE sex_r END AS report_sex"]
    picked += [f"CASE WHEN {left} THEN sex_r ELSE sex_l END AS reg_sex"]
    return f"""
        SELECT
          CASE WHEN {left} THEN unique_id_l ELSE unique_id_r END AS report_id,
          CASE WHEN {left} THEN unique_id_r ELSE unique_id_l END AS registration_id,
          match_probability, match_weight, {", ".join(columns)}, {", ".join(picked)}
        FROM {table}
        ORDER BY report_id, match_weight DESC
        """  # noqa: S608


def _with_counts(frame: pl.DataFrame, registrants: pl.DataFrame) -> pl.DataFrame:
    # Frames prepared without all registrants' counts (``match_with_candidates`` adds them):
    # no employer is large, and names are common among these registrants.
    if "employer_large" not in frame.columns:
        frame = frame.with_columns(employer_large=pl.lit(False))
    if "name_common" not in frame.columns:
        frame = name_common_column(frame, common_names(registrants))
    return frame


def match_frames(
    reports: pl.DataFrame,
    registrants: pl.DataFrame,
    *,
    threshold: float = 0.01,
    progress: Callable[[str], None] | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Train the model on these frames and score their candidate pairs on an in-memory DuckDB.

    Returns every pair at or above ``threshold`` (the assignment needs the runners-up too:
    ``assign.assign_one_to_one``) with ``mw_<comparison>`` and ``gamma_<comparison>`` per
    comparison, and the trained model as Splink settings JSON.
    """
    from splink import DuckDBAPI, Linker, block_on

    reports, registrants = (
        _with_counts(reports, registrants),
        _with_counts(registrants, registrants),
    )
    # About half of the reports are someone who registered, each against all registrants.
    # The candidates are a filtered few of the province's registrants, so their count is
    # floored at a province-sized list: a run on a handful must not believe every pair.
    prior = 0.5 / max(registrants.height, PROVINCE_REGISTRANTS)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        db_api = DuckDBAPI(connection=con)
        left = db_api.register(reports, table_name="reports")
        right = db_api.register(registrants, table_name="registrants")
        linker = Linker([left, right], model.settings(prior=prior), log_level=None)  # type: ignore[arg-type]
        trained = reports.height >= model.MIN_TRAINING_REPORTS
        if trained:
            if progress:
                progress("train")
            linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=12)
            for keys in model.EM_BLOCKING:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*keys), fix_probability_two_random_records_match=True
                )
                # Reloaded with the m floor applied after each session (``model.floor_m``).
                trained_model = model.floor_m(linker.misc.save_model_to_json())
                linker = Linker([left, right], trained_model, log_level=None)  # type: ignore[arg-type]
        if progress:
            progress("predict")
        predicted = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        columns = [f"mw_{name}, gamma_{name}" for name in model.COMPARISONS]
        table = con.sql(_oriented(predicted.physical_name, columns)).pl()
        settings = linker.misc.save_model_to_json()
        settings["trained_on_this_run"] = trained
    finally:
        con.close()
    return table, settings
