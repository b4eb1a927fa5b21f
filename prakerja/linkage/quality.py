"""Linkage quality on synthetic data with known truth (labourdata.synthetic): used by the
quality test and the benchmark, so both measure the same thing the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from prakerja.labourdata import synthetic
from prakerja.labourdata.columns import WORKER_COLUMNS


@dataclass(frozen=True)
class Quality:
    true_pairs: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_pairs if self.true_pairs else 1.0


def registrants_frame(people: list[synthetic.SyntheticPerson]) -> pl.DataFrame:
    """Registrants as the job reads them (unique_id = position in ``people``)."""
    return pl.DataFrame(
        {
            "unique_id": list(range(len(people))),
            "full_name": [p.full_name for p in people],
            "birth_date": [p.birth_date for p in people],
            "regency": [p.regency_code for p in people],
            "nik": [p.nik for p in people],
            # The job compares phones too (a NIK near a neighbour's needs it to be linked).
            "phone": [p.phone for p in people],
        },
        schema={
            "unique_id": pl.Int64,
            "full_name": pl.String,
            "birth_date": pl.Date,
            "regency": pl.String,
            "nik": pl.String,
            "phone": pl.String,
        },
    )


def reports_frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    """Report rows as the import stores them (unique_id = sheet row number)."""
    header = {column.key: column.header for column in WORKER_COLUMNS}
    by_name = {name.upper(): code for code, name in synthetic._regency_names().items()}

    def regency(text: str) -> str:
        return text if text.isdigit() else by_name.get(text.upper(), "")

    def birth(text: str) -> object:
        return datetime.strptime(text, "%d/%m/%Y").date() if text else None

    return pl.DataFrame(
        {
            "unique_id": [i + 2 for i in range(len(rows))],
            "full_name": [r[header["full_name"]] for r in rows],
            "birth_date": [birth(r[header["birth_date"]]) for r in rows],
            "regency": [regency(r[header["regency"]]) for r in rows],
            "nik": [r[header["nik"]] for r in rows],
            "phone": [r.get(header["phone"], "") for r in rows],
        },
        schema={
            "unique_id": pl.Int64,
            "full_name": pl.String,
            "birth_date": pl.Date,
            "regency": pl.String,
            "nik": pl.String,
            "phone": pl.String,
        },
    )


def measure(predicted: set[tuple[int, str]], truth: set[tuple[int, str]]) -> Quality:
    return Quality(true_pairs=len(truth), predicted=len(predicted), correct=len(predicted & truth))
