"""Harder report rows for tuning the linkage: the cases ``synthetic.scenario_build`` lacks.

The tuning generator's own implementation (``prakerja.linkage.evaluation`` has another, which
the matching is measured on and never tuned on). Each positive row is about a registrant and
has its NIK one digit off (``synthetic.nik_typo``: with the right NIK the exact-NIK link would
find it), plus one of:

- ``first_name_dropped``: the first word of the name left out ("Bambang Hartono" → "Hartono");
- ``year_typo``: one of the year's last two digits one key off (1987 → 1986, 1988, 1977, 1997);
- ``other_regency``: the report's regency another East Java regency, any of them.

and ``namesake`` rows are about people who never registered and share a registrant's name,
birth date, sex and regency, with a NIK of the same district and birth date (the next serial):
what the matching must not link without a person.

    rows, labels, truth = hard_cases(registrants, per_case=100, namesakes=100, seed=1)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from prakerja.identity.nik import nik_build
from prakerja.labourdata.columns import WORKER_COLUMNS
from prakerja.labourdata.synthetic import (
    SyntheticPerson,
    _regency_names,
    east_java_districts,
    nik_typo,
    worker_row,
)

CASES = ("first_name_dropped", "year_typo", "other_regency")
NAMESAKE = "namesake"
_HEADERS = {column.key: column.header for column in WORKER_COLUMNS}


def _year_typo(birth: date, rng: random.Random) -> date:
    for _attempt in range(20):
        position = rng.choice((2, 3))
        digits = list(str(birth.year))
        digits[position] = str((int(digits[position]) + rng.choice((-1, 1))) % 10)
        year = int("".join(digits))
        if 1950 <= year <= 2008 and year != birth.year:
            try:
                return birth.replace(year=year)
            except ValueError:  # 29 February
                return birth.replace(year=year, day=28)
    return birth


def _namesake(person: SyntheticPerson, index: int, taken: set[str]) -> SyntheticPerson:
    serial = int(person.nik[12:]) + 1
    while True:
        nik = nik_build(
            district_code=person.nik[:6],
            birth_date=person.birth_date,
            gender=person.gender,
            serial=serial,
        )
        if nik not in taken:
            break
        serial += 1
    taken.add(nik)
    return SyntheticPerson(
        key=f"N-{index}",
        nik=nik,
        full_name=person.full_name,
        birth_date=person.birth_date,
        gender=person.gender,
        regency_code=person.regency_code,
        phone="08" + str(1_000_000_000 + index),
    )


def hard_cases(
    registrants: Sequence[SyntheticPerson], *, per_case: int, namesakes: int, seed: int = 0
) -> tuple[list[dict[str, str]], dict[int, str], dict[int, str | None]]:
    """Report rows (template headers), row number → case or ``NAMESAKE``, and row number →
    the registrant's key (None for a namesake). Rows are numbered from 2, as in a sheet."""
    rng = random.Random(f"hard-cases-{seed}")  # noqa: S311 - synthetic data, not secrets
    names = _regency_names()
    regencies = sorted({district[:4] for district in east_java_districts()})
    wanted = per_case * len(CASES) + namesakes
    if wanted > len(registrants):
        raise ValueError("too few registrants for the cases")
    chosen = rng.sample(list(registrants), wanted)
    taken = {person.nik for person in registrants}
    rows: list[dict[str, str]] = []
    labels: dict[int, str] = {}
    truth: dict[int, str | None] = {}
    plan = [case for case in CASES for _ in range(per_case)] + [NAMESAKE] * namesakes
    for index, (person, case) in enumerate(zip(chosen, plan, strict=True)):
        about = _namesake(person, index, taken) if case == NAMESAKE else person
        row = worker_row(about, rng, regency_names=names, variant=False)
        if case != NAMESAKE:
            row[_HEADERS["nik"]] = nik_typo(person.nik, rng)
        row[_HEADERS["birth_date"]] = about.birth_date.strftime("%d/%m/%Y")
        if case == "first_name_dropped" and " " in person.full_name:
            row[_HEADERS["full_name"]] = person.full_name.split(" ", 1)[1]
        elif case == "year_typo":
            row[_HEADERS["birth_date"]] = _year_typo(person.birth_date, rng).strftime("%d/%m/%Y")
        elif case == "other_regency":
            other = rng.choice([code for code in regencies if code != person.regency_code])
            row[_HEADERS["regency"]] = names.get(other, other)
        rows.append(row)
        labels[index + 2] = case
        truth[index + 2] = None if case == NAMESAKE else person.key
    return rows, labels, truth
