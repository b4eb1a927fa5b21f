"""Synthetic labour-office data with known truth, for tests, benchmarks and linkage quality.

Nothing here is a real person: NIKs are built with ``nik_build`` from real East Java district
codes (so they pass every check) and serials counted up from 1; names are drawn from lists of
common Javanese, Madurese and Muslim names in both the old (Soewandi, Djoko, Tjahjono) and new
(Suwandi, Joko, Cahyono) spellings.

The API, all deterministic for a given ``seed``::

    people = population(10_000, seed=1)           # list[SyntheticPerson], unique NIKs
    scenario = scenario_build(                    # reports about some of them, with typos
        registrants=people[:8_000], others=people[8_000:], reports=5_000, seed=1
    )
    scenario.rows                                 # list[dict[header, cell text]] (template order)
    scenario.truth                                # {sheet row number: registrant key or None}
    workbook_write(path, scenario.rows)           # the XLSX a Disnaker would upload
    csv_write(path, scenario.rows)
    keys = registrants_insert(people[:8_000])     # {person key: Registration.reference}, bulk

``SyntheticPerson.key`` is stable (``"S{seed}-{i}"``); ``registrants_insert`` gives each
registrant the reference ``reference_for(key)``, so ``truth`` maps a report row to the
registration it should link to. A report row of a person who never registered maps to None.
Variation between the report and the registration is what real lists show: ``Muhammad`` as
``Moh.``/``M.``, old spellings (oe/u, dj/j, tj/c), titles (``H.``, ``Hj.``, ``S.Pd.``), upper
case, one-letter typos, and a NIK with one wrong digit (still a well-formed NIK).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from prakerja.identity.nik import nik_build, nik_parse, region_catalog
from prakerja.labourdata.columns import JPS_COLUMNS, WORKER_COLUMNS, Column
from prakerja.labourdata.synthetic_vocabulary import (
    CATEGORY_LABELS,
    CATEGORY_WEIGHTS,
    COMPANIES,
    FEMALE_GIVEN,
    JPS_PROGRAMMES,
    MALE_GIVEN,
    MIGRANT_REASONS,
    MUHAMMAD_FORMS,
    NIK_TYPO_POSITIONS,
    OLD_SPELLINGS,
    SECOND,
    TITLES_AFTER,
)

EAST_JAVA = "35"


@dataclass(slots=True)
class SyntheticPerson:
    key: str
    nik: str
    full_name: str
    birth_date: date
    gender: str
    regency_code: str  # where they live (mostly the NIK's regency)
    phone: str


@dataclass
class Scenario:
    rows: list[dict[str, str]]
    # Sheet row number (header = 1) → the key of the registrant the row is about, or None.
    truth: dict[int, str | None] = field(default_factory=dict)

    def true_pairs(self) -> set[tuple[int, str]]:
        return {(row, key) for row, key in self.truth.items() if key is not None}


def east_java_districts() -> list[str]:
    return sorted(code for code in region_catalog().districts if code.startswith(EAST_JAVA))


def reference_for(key: str) -> str:
    """The registration reference ``registrants_insert`` gives the person with ``key``:
    deterministic, in the registry's alphabet, so truth files can name registrants."""
    from prakerja.registry.references import ALPHABET, PREFIX

    seed_part, _dash, index_part = key[1:].partition("-")
    number = int(index_part) * 1000 + int(seed_part) % 1000
    chars = []
    for _ in range(8):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    code = "".join(reversed(chars))
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("0812", "0813", "0821", "0852", "0857", "0878", "0896", "0838"))
    return prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((7, 8))))


def _name(rng: random.Random, gender: str) -> str:
    given = rng.choice(MALE_GIVEN if gender == "L" else FEMALE_GIVEN)
    parts = [given]
    if rng.random() < 0.85:
        parts.append(rng.choice(SECOND))
    if rng.random() < 0.2:
        parts.append(rng.choice(SECOND))
    # Single names are common in Java (Suparman, Paini): keep some.
    if len(parts) == 1 and rng.random() < 0.5:
        parts.append(rng.choice(SECOND))
    return " ".join(parts)


def population(n: int, *, seed: int = 0, start: date = date(1965, 1, 1)) -> list[SyntheticPerson]:
    """``n`` distinct people of East Java (unique, well-formed NIKs)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    districts = east_java_districts()
    serials: dict[tuple[str, date, str], int] = {}
    span = (date(2003, 12, 31) - start).days
    people: list[SyntheticPerson] = []
    for index in range(n):
        district = rng.choice(districts)
        gender = "L" if rng.random() < 0.55 else "P"
        birth = start + timedelta(days=rng.randrange(span))
        slot = (district, birth, gender)
        serial = serials.get(slot, 0) + 1
        serials[slot] = serial
        nik = nik_build(district_code=district, birth_date=birth, gender=gender, serial=serial)
        regency = district[:4] if rng.random() < 0.9 else rng.choice(districts)[:4]
        people.append(
            SyntheticPerson(
                key=f"S{seed}-{index}",
                nik=nik,
                full_name=_name(rng, gender),
                birth_date=birth,
                gender=gender,
                regency_code=regency,
                phone=_phone(rng),
            )
        )
    return people


# --- Variation ---------------------------------------------------------------------------


def spelling_old(name: str, rng: random.Random) -> str:
    """One new-spelling pattern written the old way (u→oe, j→dj, c→tj), if the name has one."""
    candidates = [(new, old) for new, old in OLD_SPELLINGS if new in name.lower()]
    if not candidates:
        return name
    new, old = rng.choice(candidates)
    out = []
    for word in name.split(" "):
        lowered = word.lower()
        if new in lowered and not word.endswith("."):
            position = lowered.index(new)
            replaced = lowered[:position] + old + lowered[position + 1 :]
            word = replaced.capitalize() if word[:1].isupper() else replaced
        out.append(word)
    return " ".join(out)


def spelling_new(name: str) -> str:
    lowered = name
    for new, old in OLD_SPELLINGS:
        lowered = lowered.replace(old, new).replace(old.capitalize(), new.upper())
    return lowered


def name_typo(name: str, rng: random.Random) -> str:
    """One keyboard slip in one word longer than three letters: a substitution, deletion,
    doubling or swap of neighbours."""
    words = name.split(" ")
    choices = [i for i, word in enumerate(words) if len(word) > 3 and word.isalpha()]
    if not choices:
        return name
    i = rng.choice(choices)
    word = words[i]
    position = rng.randrange(1, len(word) - 1)
    action = rng.randrange(4)
    if action == 0:
        word = word[:position] + rng.choice("aiueonrst") + word[position + 1 :]
    elif action == 1:
        word = word[:position] + word[position + 1 :]
    elif action == 2:
        word = word[:position] + word[position] + word[position:]
    else:
        word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    words[i] = word
    return " ".join(words)


def name_variant(
    name: str, rng: random.Random, *, gender: str = "L", typo_rate: float = 0.15
) -> str:
    """How a list typed elsewhere might write ``name``."""
    words = name.split(" ")
    if words[0] == "Muhammad" and rng.random() < 0.7:
        words[0] = rng.choice(MUHAMMAD_FORMS)
    varied = " ".join(words)
    roll = rng.random()
    if roll < 0.25:
        varied = spelling_old(varied, rng)
    if rng.random() < 0.08:
        varied = f"{'Hj.' if gender == 'P' else 'H.'} {varied}"
    if rng.random() < 0.06:
        varied = f"{varied}, {rng.choice(TITLES_AFTER)}"
    if rng.random() < typo_rate:
        varied = name_typo(varied, rng)
    if rng.random() < 0.4:
        varied = varied.upper()
    if rng.random() < 0.03:
        varied = varied.replace(" ", "  ", 1)
    return varied


def nik_typo(nik: str, rng: random.Random) -> str:
    """The NIK with one digit wrong, still well-formed (so the row is accepted)."""
    for _attempt in range(20):
        position = rng.choice(NIK_TYPO_POSITIONS)
        digit = rng.choice([d for d in "0123456789" if d != nik[position]])
        candidate = nik[:position] + digit + nik[position + 1 :]
        if nik_parse(candidate).ok:
            return candidate
    return nik


# --- Spreadsheets ----------------------------------------------------------------------------


def _regency_names() -> dict[str, str]:
    from prakerja.identity.nik import REGIONS_DATA_DIR

    with (REGIONS_DATA_DIR / "regencies.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].replace(".", ""): row["name"]
            for row in csv.DictReader(handle)
            if row["province_code"] == EAST_JAVA
        }


def worker_row(
    person: SyntheticPerson,
    rng: random.Random,
    *,
    regency_names: dict[str, str],
    nik_typo_rate: float = 0.0,
    variant: bool = True,
) -> dict[str, str]:
    headers = {column.key: column.header for column in WORKER_COLUMNS}
    category = rng.choices(CATEGORY_LABELS, weights=CATEGORY_WEIGHTS)[0]
    report = date(2020, 3, 16) + timedelta(days=rng.randrange(30))
    if category == "PHK Sebelum COVID-19":
        report = date(2019, 1, 1) + timedelta(days=rng.randrange(400))
    nik = nik_typo(person.nik, rng) if rng.random() < nik_typo_rate else person.nik
    regency = person.regency_code
    regency_text = regency_names.get(regency, regency) if rng.random() < 0.8 else regency
    return {
        headers["nik"]: nik,
        headers["full_name"]: (
            name_variant(person.full_name, rng, gender=person.gender)
            if variant
            else person.full_name
        ),
        headers["birth_date"]: person.birth_date.strftime("%d/%m/%Y") if rng.random() < 0.9 else "",
        headers["gender"]: person.gender,
        headers["category"]: category,
        headers["migrant_reason"]: rng.choice(MIGRANT_REASONS) if category == "PMI" else "",
        headers["regency"]: regency_text,
        headers["company"]: rng.choice(COMPANIES) if category != "PMI" else "",
        headers["report_date"]: report.strftime("%d/%m/%Y"),
        headers["phone"]: person.phone if rng.random() < 0.85 else "",
    }


def scenario_build(
    *,
    registrants: Sequence[SyntheticPerson],
    others: Sequence[SyntheticPerson] = (),
    reports: int,
    registered_share: float = 0.6,
    nik_typo_rate: float = 0.03,
    seed: int = 0,
) -> Scenario:
    """``reports`` report rows: ``registered_share`` of them about registrants (known truth),
    the rest about ``others``; names varied, some NIKs off by one digit."""
    rng = random.Random(seed + 7919)  # noqa: S311
    names = _regency_names()
    about_registrants = min(len(registrants), round(reports * registered_share))
    about_others = min(len(others), reports - about_registrants)
    chosen = [(person, True) for person in rng.sample(list(registrants), about_registrants)]
    chosen += [(person, False) for person in rng.sample(list(others), about_others)]
    rng.shuffle(chosen)
    scenario = Scenario(rows=[])
    for index, (person, registered) in enumerate(chosen):
        scenario.rows.append(
            worker_row(person, rng, regency_names=names, nik_typo_rate=nik_typo_rate)
        )
        scenario.truth[index + 2] = person.key if registered else None
    return scenario


def worker_rows(
    people: Iterable[SyntheticPerson], *, seed: int = 0, **options: Any
) -> Iterator[dict[str, str]]:
    rng = random.Random(seed + 104729)  # noqa: S311
    names = _regency_names()
    for person in people:
        yield worker_row(person, rng, regency_names=names, **options)


def jps_rows(people: Iterable[SyntheticPerson], *, seed: int = 0) -> Iterator[dict[str, str]]:
    rng = random.Random(seed + 15485863)  # noqa: S311
    headers = {column.key: column.header for column in JPS_COLUMNS}
    for person in people:
        yield {
            headers["nik"]: person.nik,
            headers["full_name"]: name_variant(person.full_name, rng, gender=person.gender),
            headers["programme"]: rng.choice(JPS_PROGRAMMES),
            headers["amount"]: str(rng.choice((200_000, 300_000, 600_000))),
            headers["period"]: f"2020-{rng.choice((4, 5, 6)):02d}",
        }


def workbook_write(
    path: Path | str,
    rows: Iterable[dict[str, str]],
    *,
    columns: tuple[Column, ...] = WORKER_COLUMNS,
) -> int:
    """Write rows as an XLSX shaped like the template (every cell text). Returns the count.

    Not through ``core.exports`` on purpose: this writes an *input* for the importer (tests,
    benchmarks), exactly as an office would fill the template, formula-like cells included,
    so the import's own refusal of them is what gets tested. It is never a download."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Data")
    text = workbook.add_format({"num_format": "@"})
    headers = [column.header for column in columns]
    sheet.write_row(0, 0, headers)
    count = 0
    for count, row in enumerate(rows, start=1):
        for position, header in enumerate(headers):
            value = row.get(header, "")
            if value:
                sheet.write_string(count, position, value, text)
    workbook.close()
    return count


def csv_write(
    path: Path | str,
    rows: Iterable[dict[str, str]],
    *,
    columns: tuple[Column, ...] = WORKER_COLUMNS,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> int:
    """Write rows as a CSV input for the importer; like ``workbook_write``, an input written
    raw on purpose (not a download, so not through ``core.exports``)."""
    headers = [column.header for column in columns]
    count = 0
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=headers, delimiter=delimiter, extrasaction="ignore"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# --- Registrants in the database ---------------------------------------------------------------


def registrants_insert(
    people: Iterable[SyntheticPerson], *, batch_size: int = 10_000, with_phone: bool = True
) -> int:
    """Insert each person as a submitted registration (user + person + registration) in bulk:
    ``COPY`` on PostgreSQL (``executemany`` on SQLite) in batches of ``batch_size``; persons by
    insert-or-ignore on the NIK's blind index (a person already created by an import is reused,
    which is exactly an exact-NIK match).

    References are ``reference_for(person.key)``; usernames ``syn-<key>``. Returns the number
    inserted. No history rows are written for these synthetic registrations (the persons get
    their "created" rows, as every bulk-created person does). Set-based, so that
    tests and benchmarks can seed tens of thousands (its cost: ``bench/README.md``).
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.labourdata.bulk import model_rows_insert, pairs_where_in
    from prakerja.labourdata.services.persons import NikIndexer, person_ids_ensure
    from prakerja.registry.models import Registration
    from prakerja.registry.services.programme import programme_default

    programme = programme_default()
    indexer = NikIndexer()
    unusable = make_password(None)
    now = timezone.now()
    total = 0
    batch: list[SyntheticPerson] = []

    def flush() -> None:
        nonlocal total
        with transaction.atomic():
            indexes = {indexer(person.nik): person.nik for person in batch}
            person_ids = person_ids_ensure(indexes, actor=None, reason="data sintetis")
            usernames = [f"syn-{person.key.lower()}" for person in batch]
            model_rows_insert(
                User,
                (
                    {
                        "username": username,
                        "password": unusable,
                        "role": Role.APPLICANT,
                        "full_name": person.full_name,
                        "date_joined": now,
                    }
                    for username, person in zip(usernames, batch, strict=True)
                ),
            )
            user_ids = pairs_where_in(User, "username", "id", usernames)
            model_rows_insert(
                Registration,
                (
                    {
                        "reference": reference_for(person.key),
                        "programme_id": programme.pk,
                        "user_id": user_ids[username],
                        "person_id": person_ids[indexer(person.nik)],
                        "status": Registration.Status.SUBMITTED,
                        "full_name": person.full_name,
                        "birth_date": person.birth_date,
                        "gender": person.gender,
                        "phone": ("+62" + person.phone[1:]) if with_phone else "",
                        "domicile_regency_id": person.regency_code,
                        "submitted_at": now,
                    }
                    for username, person in zip(usernames, batch, strict=True)
                ),
            )
        total += len(batch)
        batch.clear()

    for person in people:
        batch.append(person)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return total
