"""Loading the idn-area-data CSVs into the region tables.

Idempotent: each file's SHA-256 is recorded, an unchanged file is skipped, and a changed file
is upserted in bulk (``INSERT … ON CONFLICT DO UPDATE`` on both SQLite and PostgreSQL), so a
second ``make run`` neither duplicates nor slows down. Old codes that leave the source are kept:
NIKs issued under them stay valid (SPEC §3.1).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction

from prakerja.regions.models import District, LoadedDataset, Province, Regency, Village
from prakerja.regions.selectors import regions_forget

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH_SIZE = 5000


def _plain(code: str) -> str:
    return code.replace(".", "")


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[models.Model]
    build: Callable[[dict[str, str]], models.Model]
    update_fields: list[str]


TABLES = [
    _Table(
        "provinces",
        Province,
        lambda row: Province(code=row["code"], name=row["name"]),
        ["name"],
    ),
    _Table(
        "regencies",
        Regency,
        lambda row: Regency(
            code=_plain(row["code"]), province_id=row["province_code"], name=row["name"]
        ),
        ["name", "province"],
    ),
    _Table(
        "districts",
        District,
        lambda row: District(
            code=_plain(row["code"]), regency_id=_plain(row["regency_code"]), name=row["name"]
        ),
        ["name", "regency"],
    ),
    _Table(
        "villages",
        Village,
        lambda row: Village(
            code=_plain(row["code"]), district_id=_plain(row["district_code"]), name=row["name"]
        ),
        ["name", "district"],
    ),
]


@dataclass(frozen=True)
class LoadResult:
    name: str
    rows: int
    skipped: bool


def regions_load(*, data_dir: Path = DATA_DIR, force: bool = False) -> list[LoadResult]:
    results = []
    for table in TABLES:
        path = data_dir / f"{table.name}.csv"
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        loaded = LoadedDataset.objects.filter(name=table.name).first()
        if loaded and loaded.sha256 == digest and not force:
            results.append(LoadResult(table.name, loaded.rows, skipped=True))
            continue
        rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
        with transaction.atomic():
            for start in range(0, len(rows), BATCH_SIZE):
                table.model._default_manager.bulk_create(
                    [table.build(row) for row in rows[start : start + BATCH_SIZE]],
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=table.update_fields,
                )
            LoadedDataset.objects.update_or_create(
                name=table.name, defaults={"sha256": digest, "rows": len(rows)}
            )
        results.append(LoadResult(table.name, len(rows), skipped=False))
    regions_forget()
    return results
