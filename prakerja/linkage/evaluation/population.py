"""The evaluation population: households of registrants, and the report rows about them
(each with one error class) and about people who never registered (``build``)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from prakerja.identity.nik import REGIONS_DATA_DIR, nik_build, region_catalog
from prakerja.linkage.evaluation.employers import HOUSEHOLD_SAME_EMPLOYER_RATE, Employer, Jobs
from prakerja.linkage.evaluation.names import (
    FEMALE_FIRST,
    LAST,
    MALE_FIRST,
    MIDDLE,
    MUHAMMAD_VARIANTS,
)
from prakerja.linkage.evaluation.variation import (
    ELIGIBLE,
    NIK_CLASSES,
    first_name_dropped,
    initials,
    muhammad_siti_variant,
    name_order_swapped,
    nik_digit_typo,
    nik_transposition,
    old_spelling,
    other_regency,
    title_added,
    year_typo,
)

EAST_JAVA = "35"

# Shares of the report count. Wrong NIKs are about a sixth of the positives, as in the lists
# measured for issue 12 (there 359 of ~12,000 were a KK in the NIK column).
POSITIVE_CLASSES: dict[str, float] = {
    "exact": 0.50,
    "nik_digit_typo": 0.024,
    "nik_transposition": 0.012,
    "kk_as_nik": 0.018,
    "date_day_month_swap": 0.006,
    "year_digit_typo": 0.006,
    "name_order_swapped": 0.004,
    "first_name_dropped": 0.004,
    "initials": 0.006,
    "title_added": 0.006,
    "muhammad_siti_variant": 0.006,
    "old_spelling": 0.006,
    "other_regency_nik_typo": 0.006,
}
# Hard negatives: people who never registered but look like a registrant.
NEGATIVE_TYPES: dict[str, float] = {
    "namesake": 0.012,  # same name, birth date and regency; another person
    "twin_same_sex": 0.006,  # same KK and birth date, NIK serial next to the registrant's
    "twin_opposite_sex": 0.006,  # same KK and birth date, NIK day +40 (or -40)
    "relative_shared_phone": 0.015,  # same KK and phone
    "relative_shared_kk": 0.015,  # same KK, own phone
    # Same name, birth date and regency, and the registrant's own (large) employer: 8% of
    # all namesakes (``employers`` module). Last, so that adding it left the others as they were.
    "namesake_same_employer": 0.001,
}
PLAIN_NEGATIVE = "never_registered"
PHONE_PRESENT_RATE = 0.7  # share of reports with a phone number
UPPER_CASE_RATE = 0.5  # Disnaker lists are often typed in capitals
SHARED_PHONE_HOUSEHOLD_RATE = 0.2
TWIN_HOUSEHOLD_RATE = 0.012  # ~1 twin pair per 80 births
OPPOSITE_SEX_TWIN_SHARE = 0.35


@dataclass(slots=True)
class EvalPerson:
    key: str  # "E{seed}-{index}": ``synthetic.reference_for`` turns it into a reference
    nik: str
    kk: str
    full_name: str
    birth_date: date
    gender: str
    regency_code: str  # where they live
    phone: str
    registered: bool = True
    employer: int | None = None  # index in ``Jobs.employers``; None: worked abroad (PMI)
    last_employer: str = ""  # the registration's "tempat kerja terakhir", as typed
    # The employer that text names (None: blank or abroad); recorded, not drawn, so that the
    # evaluation knows what a reviewer could see (``reviewable``).
    last_employer_index: int | None = None


@dataclass(slots=True)
class EvalReport:
    nik: str
    full_name: str
    birth_date: date
    gender: str
    regency_code: str
    phone: str  # "" when absent
    truth_key: str | None  # the registrant the report is about, None for a negative
    label: str  # error class (positive) or negative type
    related_key: str | None = None  # for a negative: the registrant it resembles
    company: str = ""  # "perusahaan" as the company wrote it; "" for a PMI or a blank cell
    migrant: bool = False  # category PMI


@dataclass
class EvalSet:
    registrants: list[EvalPerson]
    reports: list[EvalReport]
    seed: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    employers: list[Employer] = field(default_factory=list)  # ``EvalPerson.employer`` indexes it


def east_java_districts() -> list[str]:
    return sorted(code for code in region_catalog().districts if code.startswith(EAST_JAVA))


def regency_names() -> dict[str, str]:
    with (REGIONS_DATA_DIR / "regencies.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].replace(".", ""): row["name"]
            for row in csv.DictReader(handle)
            if row["province_code"] == EAST_JAVA
        }


class _Builder:
    """Holds the serial counters, so that every NIK drawn is new and well-formed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"linkage-eval-{seed}")  # noqa: S311 - fake data, not secrets
        self.seed = seed
        self.districts = east_java_districts()
        self.serials: dict[str, int] = {}  # NIK without serial → last serial used
        self.niks: set[str] = set()  # every NIK, KK and typo drawn so far
        self.kk_serials: dict[str, int] = {}
        self.index = 0
        # Employers draw from their own stream: the rest of the population does not move.
        self.jobs = Jobs(seed, regency_names())

    # Numbers -------------------------------------------------------------------------------

    def nik(self, district: str, birth: date, gender: str) -> str:
        head = nik_build(district_code=district, birth_date=birth, gender=gender, serial=0)[:12]
        serial = self.serials.get(head, 0) + 1
        # Skip a number already handed out as someone's typo: every report NIK stays unique.
        while f"{head}{serial:04d}" in self.niks:
            serial += 1
        self.serials[head] = serial
        value = f"{head}{serial:04d}"
        self.niks.add(value)
        return value

    def kk(self, district: str) -> str:
        # District + issue date + serial from 5001 up: reads as a man's NIK born on the issue
        # date, and never equals a person's NIK (their serials start at 1).
        issued = date(1995, 1, 1) + timedelta(days=self.rng.randrange(9000))
        head = nik_build(district_code=district, birth_date=issued, gender="L", serial=0)[:12]
        serial = self.kk_serials.get(head, 5000) + 1
        self.kk_serials[head] = serial
        value = f"{head}{serial:04d}"
        self.niks.add(value)  # so that no NIK typo lands on a KK number
        return value

    def phone(self) -> str:
        prefix = self.rng.choice(("0812", "0813", "0852", "0853", "0857", "0858", "0877", "0819"))
        return prefix + "".join(self.rng.choice("0123456789") for _ in range(8))

    def birth(self) -> date:
        return date(1962, 1, 1) + timedelta(days=self.rng.randrange(365 * 42))

    def name(self, gender: str, last: str | None = None) -> str:
        rng = self.rng
        first = rng.choice(MALE_FIRST if gender == "L" else FEMALE_FIRST)
        if first == "Muhammad" and rng.random() < 0.4:
            first = rng.choice(MUHAMMAD_VARIANTS)  # the KTP itself may say "Moch." or "M."
        parts = [first]
        roll = rng.random()
        if roll < 0.12:
            return first if first[-1] != "." else f"{first} {rng.choice(LAST)}"  # single name
        if roll < 0.4:
            parts.append(rng.choice(MIDDLE))
        parts.append(last or rng.choice(LAST))
        return " ".join(parts)

    def person(
        self,
        *,
        district: str,
        kk: str,
        gender: str | None = None,
        birth: date | None = None,
        name: str | None = None,
        phone: str | None = None,
        last: str | None = None,
        registered: bool = True,
    ) -> EvalPerson:
        gender = gender or ("L" if self.rng.random() < 0.52 else "P")
        birth = birth or self.birth()
        regency = district[:4]
        if self.rng.random() < 0.08:  # moved since the KTP was issued
            regency = self.rng.choice(self.districts)[:4]
        key = f"E{self.seed}-{self.index}"
        self.index += 1
        person = EvalPerson(
            key=key,
            nik=self.nik(district, birth, gender),
            kk=kk,
            full_name=name or self.name(gender, last),
            birth_date=birth,
            gender=gender,
            regency_code=regency,
            phone=phone or self.phone(),
            registered=registered,
        )
        self.jobs.assign(person)
        return person

    def household(self) -> list[EvalPerson]:
        """One to four working-age members of one KK; some share a phone, some are twins."""
        rng = self.rng
        district = rng.choice(self.districts)
        kk = self.kk(district)
        last = rng.choice(LAST) if rng.random() < 0.5 else None
        shared = self.phone() if rng.random() < SHARED_PHONE_HOUSEHOLD_RATE else None
        size = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
        members = [
            self.person(district=district, kk=kk, phone=shared, last=last) for _ in range(size)
        ]
        for member in members[1:]:
            self.jobs.share(member, members[0], HOUSEHOLD_SAME_EMPLOYER_RATE)
        if rng.random() < TWIN_HOUSEHOLD_RATE:
            members.append(self.twin(members[0]))
        return members

    def twin(
        self, of: EvalPerson, *, opposite: bool | None = None, registered: bool = True
    ) -> EvalPerson:
        if opposite is None:
            opposite = self.rng.random() < OPPOSITE_SEX_TWIN_SHARE
        gender = ("P" if of.gender == "L" else "L") if opposite else of.gender
        twin = self.person(
            district=of.nik[:6],
            kk=of.kk,
            gender=gender,
            birth=of.birth_date,
            phone=of.phone if self.rng.random() < 0.3 else None,
            last=of.full_name.split(" ")[-1] if " " in of.full_name else None,
            registered=registered,
        )
        twin.regency_code = of.regency_code
        self.jobs.share(twin, of, HOUSEHOLD_SAME_EMPLOYER_RATE)
        if opposite:
            # "Putra" and "Putri": twins' names often differ only at the end.
            twin.full_name = _twin_name(of.full_name, gender, self.rng)
        return twin


def _twin_name(name: str, gender: str, rng: random.Random) -> str:
    pairs = (("Putra", "Putri"), ("Dwi Putra", "Dwi Putri"), ("Rizky", "Rizka"))
    base = name.split(" ")[-1] if " " in name else name
    male, female = rng.choice(pairs)
    return f"{male if gender == 'L' else female} {base}"


def _quota(rates: dict[str, float], total: int) -> dict[str, int]:
    return {label: round(rate * total) for label, rate in rates.items()}


def build(registrants: int, reports: int, *, seed: int = 0) -> EvalSet:
    """``registrants`` registered people and ``reports`` report rows about them and others."""
    builder = _Builder(seed)
    rng = builder.rng
    people: list[EvalPerson] = []
    while len(people) < registrants:
        people.extend(builder.household())
    del people[registrants:]
    regencies = sorted({d[:4] for d in builder.districts})
    names = {p.full_name for p in people}

    positives = _quota(POSITIVE_CLASSES, reports)
    negatives = _quota(NEGATIVE_TYPES, reports)
    plain = reports - sum(positives.values()) - sum(negatives.values())
    if plain < 0 or sum(positives.values()) > registrants:
        raise ValueError("too many reports for the population")

    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()
    used_kk: set[str] = set()
    out: list[EvalReport] = []

    def take(label: str, count: int) -> list[EvalPerson]:
        eligible = ELIGIBLE.get(label, lambda p: True)
        if label == "namesake_same_employer":
            eligible = builder.jobs.is_large
        chosen: list[EvalPerson] = []
        for i in order:
            if len(chosen) == count:
                break
            person = people[i]
            if i in used or not eligible(person):
                continue
            if label == "kk_as_nik":
                if person.kk in used_kk:
                    continue  # two rows with one KK would be one row and a duplicate
                used_kk.add(person.kk)  # also within this call (two of one household)
            used.add(i)
            chosen.append(person)
        if len(chosen) < count:
            raise ValueError(f"not enough registrants for {label}")
        return chosen

    # Most constrained classes first, so the plain ones do not use up their candidates.
    for label in sorted(positives, key=lambda c: (c in NIK_CLASSES, c)):
        for person in take(label, positives[label]):
            out.append(_positive(person, label, builder, regencies))

    for label, count in negatives.items():
        for person in take(label, count):
            other = _negative(person, label, builder, names)
            out.append(_report(other, label, builder, related=person.key, truth=None))
    for _ in range(plain):
        stranger = builder.person(
            district=rng.choice(builder.districts),
            kk=builder.kk(rng.choice(builder.districts)),
            registered=False,
        )
        out.append(_report(stranger, PLAIN_NEGATIVE, builder, truth=None))

    # No two rows with one NIK: the import would keep only the first as a report.
    seen: set[str] = set()
    for report in out:
        if report.nik in seen:
            raise AssertionError("duplicate report NIK")
        seen.add(report.nik)
    rng.shuffle(out)
    counts: dict[str, int] = {}
    for report in out:
        counts[report.label] = counts.get(report.label, 0) + 1
    return EvalSet(
        registrants=people,
        reports=out,
        seed=seed,
        counts=counts,
        employers=builder.jobs.employers,
    )


def _report(
    person: EvalPerson,
    label: str,
    builder: _Builder,
    *,
    truth: str | None,
    related: str | None = None,
) -> EvalReport:
    rng = builder.rng
    name = person.full_name.upper() if rng.random() < UPPER_CASE_RATE else person.full_name
    report = EvalReport(
        nik=person.nik,
        full_name=name,
        birth_date=person.birth_date,
        gender=person.gender,
        regency_code=person.regency_code,
        phone=person.phone if rng.random() < PHONE_PRESENT_RATE else "",
        truth_key=truth,
        label=label,
        related_key=related,
    )
    report.company = builder.jobs.written(person)
    report.migrant = person.employer is None
    return report


def _positive(
    person: EvalPerson, label: str, builder: _Builder, regencies: list[str]
) -> EvalReport:
    rng = builder.rng
    report = _report(person, label, builder, truth=person.key)
    # Case first: the class's own change must survive (an initial's dot, "St.").
    name = person.full_name
    if label == "nik_digit_typo" or label not in NIK_CLASSES:
        report.nik = nik_digit_typo(person.nik, rng, builder.niks)
    elif label == "nik_transposition":
        report.nik = nik_transposition(person.nik, rng, builder.niks)
    elif label == "kk_as_nik":
        report.nik = person.kk
    if label == "date_day_month_swap":
        birth = person.birth_date
        report.birth_date = birth.replace(day=birth.month, month=birth.day)
    elif label == "year_digit_typo":
        report.birth_date = year_typo(person.birth_date, rng)
    elif label == "name_order_swapped":
        name = name_order_swapped(name, rng)
    elif label == "first_name_dropped":
        name = first_name_dropped(name)
    elif label == "initials":
        name = initials(name, rng)
    elif label == "title_added":
        name = title_added(name, person.gender, rng)
    elif label == "muhammad_siti_variant":
        name = muhammad_siti_variant(name, rng)
    elif label == "old_spelling":
        name = old_spelling(name, rng)
    elif label == "other_regency_nik_typo":
        report.regency_code = other_regency(person.regency_code, rng, regencies)
    report.full_name = name.upper() if report.full_name.isupper() else name
    builder.niks.add(report.nik)
    return report


def _negative(person: EvalPerson, label: str, builder: _Builder, names: set[str]) -> EvalPerson:
    """Someone who never registered and looks like ``person`` (a registrant)."""
    rng = builder.rng
    if label in ("namesake", "namesake_same_employer"):
        # Same name, birth date and regency; NIK from the same district half the time (then
        # the serials are consecutive: one digit apart).
        district = person.nik[:6]
        if rng.random() < 0.5:
            district = rng.choice([d for d in builder.districts if d[:4] == district[:4]])
        other = builder.person(
            district=district,
            kk=builder.kk(district),
            gender=person.gender,
            birth=person.birth_date,
            name=person.full_name,
            registered=False,
        )
        other.regency_code = person.regency_code
        if label == "namesake_same_employer":
            builder.jobs.share(other, person)
        return other
    if label in ("twin_same_sex", "twin_opposite_sex"):
        return builder.twin(person, opposite=label == "twin_opposite_sex", registered=False)
    shared_phone = label == "relative_shared_phone"
    last = person.full_name.split(" ")[-1] if rng.random() < 0.5 else None
    other = builder.person(
        district=person.nik[:6],
        kk=person.kk,
        phone=person.phone if shared_phone else None,
        last=last,
        registered=False,
    )
    other.regency_code = person.regency_code
    builder.jobs.share(other, person, HOUSEHOLD_SAME_EMPLOYER_RATE)
    return other
