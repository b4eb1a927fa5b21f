"""One report, one registrant: the highest-probability consistent assignment.

Pairs are taken best first; a report whose best registrant is already taken by a stronger pair
falls back to its next candidate. A pair goes to a person's review instead of being linked
automatically when it is below the bar, when the report has another untaken candidate about
as likely (twins, namesakes: ``TIE_MARGIN_BITS``), or another candidate with the same KK and
birth date (twins) whose names agree too (a KK typed as the NIK points to the whole family: the
names tell "Budi" from his twin "Agus", not "Putra" from "Putri"), or when the sexes are known
and differ.

And when nothing points to this one person (``not_identified``): the names must agree and the
NIK, the KK or the phone must point to the registrant, or the employer must agree where no
other candidate of the report, or of the registrant, agrees on the names and the employer too
(twins or namesakes at one factory: a person decides).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from prakerja.linkage.matching import model

AUTO_LINK_PROBABILITY = 0.99
REVIEW_PROBABILITY = 0.5
# Two candidates whose match weights are closer than this (a factor of 16 in the odds) are
# not told apart by the data: a person decides.
TIE_MARGIN_BITS = 4.0


def _twins(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["reg_kk_key"]) and (a["reg_kk_key"], a["reg_birth_date"]) == (
        b["reg_kk_key"],
        b["reg_birth_date"],
    )


def _identified(
    row: dict[str, Any], gammas: dict[str, frozenset[int]], shared_employer: set[int]
) -> bool:
    """The pair's evidence is more than what namesakes, twins and neighbours share
    (``model.NIK_IDENTIFIES``): the names agree, and the NIK, the phone or the employer points
    to this one person. ``shared_employer``: ids of pairs whose report or registrant has
    another candidate with agreeing names and employer."""
    if row["gamma_nama"] not in gammas["nama"]:
        return False
    if row["gamma_nik"] in gammas["nik"] or row["gamma_nomor_hp"] in gammas["nomor_hp"]:
        return True
    return (
        row["gamma_nama"] in gammas["nama_closely"]
        and row["gamma_tempat_kerja"] in gammas["tempat_kerja"]
        and row["_pair"] not in shared_employer
    )


def _employer_not_unique(scored: pl.DataFrame, gammas: dict[str, frozenset[int]]) -> set[int]:
    """Pairs (``_pair``) whose names and employer agree while another pair of the same report
    or the same registrant agrees on both too: the employer does not tell them apart."""
    agreeing = scored.filter(
        pl.col("gamma_nama").is_in(list(gammas["nama"]))
        & pl.col("gamma_tempat_kerja").is_in(list(gammas["tempat_kerja"]))
    )
    crowded = agreeing.filter(
        (pl.len().over("report_id") > 1) | (pl.len().over("registration_id") > 1)
    )
    return set(crowded["_pair"].to_list())


def assign_one_to_one(scored: pl.DataFrame) -> pl.DataFrame:
    """``scored`` from ``frames.match_frames``; returns the chosen pairs with ``auto`` (bool)
    and ``review_reason`` ("" for automatic links)."""
    gammas = {
        "nama": model.gamma_values("nama", model.NAMES_AGREE),
        "nama_closely": model.gamma_values("nama", model.NAMES_AGREE_CLOSELY),
        "nik": model.gamma_values("nik", model.NIK_IDENTIFIES),
        "nomor_hp": model.gamma_values("nomor_hp", model.PHONE_IDENTIFIES),
        "tempat_kerja": model.gamma_values("tempat_kerja", model.EMPLOYER_IDENTIFIES),
    }
    scored = scored.with_row_index("_pair")
    shared_employer = _employer_not_unique(scored, gammas)
    rows = sorted(
        scored.filter(pl.col("match_probability") >= REVIEW_PROBABILITY).iter_rows(named=True),
        key=lambda r: (-r["match_weight"], r["report_id"], r["registration_id"]),
    )
    by_report: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_registrant: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_report[row["report_id"]].append(row)
        by_registrant[row["registration_id"]].append(row)
    taken_reports: set[int] = set()
    taken_registrants: set[int] = set()
    chosen = []
    for row in rows:
        report, registrant = row["report_id"], row["registration_id"]
        if report in taken_reports or registrant in taken_registrants:
            continue
        taken_reports.add(report)
        taken_registrants.add(registrant)
        floor = row["match_weight"] - TIE_MARGIN_BITS
        rivals = [
            other
            for other in by_report[report]
            if other is not row
            and other["registration_id"] not in taken_registrants
            and (
                other["match_weight"] >= floor
                or (_twins(row, other) and other["gamma_nama"] in gammas["nama"])
            )
        ] + [
            other
            for other in by_registrant[registrant]
            if other is not row
            and other["report_id"] not in taken_reports
            and other["match_weight"] >= floor
        ]
        reason = ""
        if row["match_probability"] < AUTO_LINK_PROBABILITY:
            reason = "below_bar"
        elif rivals:
            reason = "tie"
        elif row["report_sex"] and row["reg_sex"] and row["report_sex"] != row["reg_sex"]:
            reason = "sex_differs"
        elif not _identified(row, gammas, shared_employer):
            reason = "not_identified"
        chosen.append({**row, "auto": not reason, "review_reason": reason})
    if not chosen:
        return (
            scored.head(0)
            .with_columns(auto=pl.lit(False), review_reason=pl.lit("", dtype=pl.String))
            .drop("_pair")
        )
    return pl.DataFrame(
        chosen, schema={**scored.schema, "auto": pl.Boolean, "review_reason": pl.String}
    ).drop("_pair")
