"""One report, one registrant: the highest-probability consistent assignment.

Pairs are taken best first; a report whose best registrant is already taken by a stronger pair
falls back to its next candidate. A pair goes to a person's review instead of being linked
automatically when it is below the bar, when the report has another untaken candidate about
as likely (twins, namesakes: ``TIE_MARGIN_BITS``), or another candidate with the same KK and
birth date (twins), or when the sexes are known and differ.
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


def _identified(row: dict[str, Any], gammas: dict[str, frozenset[int]]) -> bool:
    """The pair's evidence is more than what namesakes, twins and neighbours share
    (``model.NIK_IDENTIFIES``): the names agree, and the NIK or the phone points to this one
    person."""
    return row["gamma_nama"] in gammas["nama"] and (
        row["gamma_nik"] in gammas["nik"] or row["gamma_nomor_hp"] in gammas["nomor_hp"]
    )


def assign_one_to_one(scored: pl.DataFrame) -> pl.DataFrame:
    """``scored`` from ``frames.match_frames``; returns the chosen pairs with ``auto`` (bool)
    and ``review_reason`` ("" for automatic links)."""
    rows = sorted(
        scored.filter(pl.col("match_probability") >= REVIEW_PROBABILITY).iter_rows(named=True),
        key=lambda r: (-r["match_weight"], r["report_id"], r["registration_id"]),
    )
    by_report: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_registrant: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_report[row["report_id"]].append(row)
        by_registrant[row["registration_id"]].append(row)
    gammas = {
        "nama": model.gamma_values("nama", model.NAMES_AGREE),
        "nik": model.gamma_values("nik", model.NIK_IDENTIFIES),
        "nomor_hp": model.gamma_values("nomor_hp", model.PHONE_IDENTIFIES),
    }
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
            and (other["match_weight"] >= floor or _twins(row, other))
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
        elif not _identified(row, gammas):
            reason = "not_identified"
        chosen.append({**row, "auto": not reason, "review_reason": reason})
    if not chosen:
        return scored.head(0).with_columns(
            auto=pl.lit(False), review_reason=pl.lit("", dtype=pl.String)
        )
    return pl.DataFrame(
        chosen, schema={**scored.schema, "auto": pl.Boolean, "review_reason": pl.String}
    )
