"""Write synthetic labour-office spreadsheets (and optionally registrants) with known truth.

    manage.py labourdata_generate --out /tmp/data --reports 10000 --registrants 20000
    manage.py labourdata_generate --out /tmp/data --reports 1000 --registrants 5000 --insert

Writes ``pekerja.xlsx`` (reported workers shaped like the template, names varied, some NIKs off
by one digit), ``pekerja.csv`` (the same rows), ``jps.xlsx`` (JPS recipients, some of them
registrants), ``pendaftar.csv`` (the registrant population: key, reference, NIK, name, birth
date, gender, regency) and ``kebenaran.csv`` (report row → registrant reference, or empty for
people who never registered). With ``--insert`` the registrants are also written to the
database as submitted registrations, in bulk. Every NIK is fake (built from district codes).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from prakerja.labourdata import synthetic
from prakerja.labourdata.columns import JPS_COLUMNS


class Command(BaseCommand):
    help = "Menulis spreadsheet data Disnaker sintetis (NIK palsu) beserta kunci kebenarannya."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="folder tujuan")
        parser.add_argument("--reports", type=int, default=1000)
        parser.add_argument("--registrants", type=int, default=2000)
        parser.add_argument("--registered-share", type=float, default=0.6)
        parser.add_argument("--nik-typo-rate", type=float, default=0.03)
        parser.add_argument("--jps", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--insert", action="store_true", help="juga simpan pendaftar ke DB")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        seed = options["seed"]
        registrants_n = options["registrants"]
        others_n = options["reports"]
        people = synthetic.population(registrants_n + others_n, seed=seed)
        registrants, others = people[:registrants_n], people[registrants_n:]
        scenario = synthetic.scenario_build(
            registrants=registrants,
            others=others,
            reports=options["reports"],
            registered_share=options["registered_share"],
            nik_typo_rate=options["nik_typo_rate"],
            seed=seed,
        )
        synthetic.workbook_write(out / "pekerja.xlsx", scenario.rows)
        synthetic.csv_write(out / "pekerja.csv", scenario.rows)
        jps_people = registrants[: options["jps"]]
        synthetic.workbook_write(
            out / "jps.xlsx", synthetic.jps_rows(jps_people, seed=seed), columns=JPS_COLUMNS
        )
        # Inputs and known truth for tests and benchmarks, written raw on purpose: they are
        # read back by the importer and the benchmark, never handed to a person as a download
        # (those go through core.exports).
        with (out / "pendaftar.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["key", "reference", "nik", "full_name", "birth_date", "gender", "regency"]
            )
            for person in registrants:
                writer.writerow(
                    [
                        person.key,
                        synthetic.reference_for(person.key),
                        person.nik,
                        person.full_name,
                        person.birth_date.isoformat(),
                        person.gender,
                        person.regency_code,
                    ]
                )
        with (out / "kebenaran.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row_number", "registrant_key", "reference"])
            for row_number, key in scenario.truth.items():
                writer.writerow(
                    [row_number, key or "", synthetic.reference_for(key) if key else ""]
                )
        inserted = synthetic.registrants_insert(registrants) if options["insert"] else 0
        self.stdout.write(
            f"{len(scenario.rows)} baris laporan, {len(registrants)} pendaftar"
            f" ({inserted} disimpan ke DB), {len(jps_people)} penerima JPS → {out}"
        )
