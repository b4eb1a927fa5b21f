"""An evaluation set for record linkage, built independently of the tuning generator.

``prakerja.labourdata.synthetic`` is what the matching was tuned on; measuring on it again only
shows that the tuning fits its own data. This module draws another population with its own
naming and its own error model, so that the figures in ``bench/README.md`` say how the matching
does on data it was never tuned on. Only generic helpers are shared (region codes, ``nik_build``,
``nik_parse``); no name list and no error rule comes from ``synthetic``.

Data only: no database, no Django models. ``bench/linkage.py --population independent`` inserts
it and scores the job with ``score``.

The population lives in households: one KK (family card) per household, whose number is the
district, the card's issue date and a serial (so it is also a well-formed NIK, which is what
makes "KK typed into the NIK column" slip through the import); members born in the household's
district; twins (same KK, same birth date, consecutive NIK serials; a girl's NIK day is +40);
some households share one phone. Names are East Java's: Javanese, Madurese and Islamic, in old
(Soekarno, Djoko, Tjahjo) and new spellings, Muhammad written Moch./Moh./M., Siti as St.

Each report is about a registrant (a *positive*, labelled with its ``error_class``) or about
someone who never registered (a *negative*, labelled with its ``negative`` type). Rates are
fixed quotas of the report count (``POSITIVE_CLASSES`` and ``NEGATIVE_TYPES``), not coin flips,
so every class is present at its rate even in a small set. A positive has exactly one error
class; every class but the NIK ones also has a one-digit NIK typo, otherwise the exact-NIK
link would find the pair and the class would measure nothing.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from prakerja.identity.nik import REGIONS_DATA_DIR, nik_build, nik_parse, region_catalog

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
}
PLAIN_NEGATIVE = "never_registered"
PHONE_PRESENT_RATE = 0.7  # share of reports with a phone number
UPPER_CASE_RATE = 0.5  # Disnaker lists are often typed in capitals
SHARED_PHONE_HOUSEHOLD_RATE = 0.2
TWIN_HOUSEHOLD_RATE = 0.012  # ~1 twin pair per 80 births
OPPOSITE_SEX_TWIN_SHARE = 0.35

# --- Names -----------------------------------------------------------------------------------

MUHAMMAD_VARIANTS = ("Muhammad", "Muhamad", "Mohammad", "Mochamad", "Moch.", "Moh.", "M.")
SITI_VARIANTS = ("Siti", "St.")
MALE_FIRST = (
    *("Muhammad",) * 6,
    "Achmad",
    "Ahmad",
    "Abdul",
    "Agus",
    "Bambang",
    "Bagus",
    "Dedi",
    "Eko",
    "Fajar",
    "Gatot",
    "Hendro",
    "Imron",
    "Joko",
    "Kasiman",
    "Lukman",
    "Mudhar",
    "Nanang",
    "Paidi",
    "Ribut",
    "Samsul",
    "Slamet",
    "Sukarno",
    "Teguh",
    "Wahyudi",
    "Yanto",
    "Zainuri",
    "Hosen",
    "Moh",
    "Sahwari",
    "Marsuki",
    "Abdurrahman",
    "Cahyo",
    "Suyono",
)
FEMALE_FIRST = (
    *("Siti",) * 6,
    "Ani",
    "Binti",
    "Dwi",
    "Endah",
    "Fatimah",
    "Hartini",
    "Ida",
    "Juwariyah",
    "Kartini",
    "Lilik",
    "Maryam",
    "Ninik",
    "Purwati",
    "Rukayah",
    "Sri",
    "Tumini",
    "Umi",
    "Wartini",
    "Yuliana",
    "Zaenab",
    "Aminah",
    "Mardiyah",
    "Suwarni",
    "Cucuk",
)
MIDDLE = (
    "Nur",
    "Abdul",
    "Ali",
    "Budi",
    "Dwi",
    "Tri",
    "Rahmat",
    "Arif",
    "Fatkhur",
    "Khoirul",
    "Dian",
    "Ayu",
    "Nurul",
    "Mukti",
    "Jaya",
)
LAST = (
    "Santoso",
    "Wijayanto",
    "Prayitno",
    "Setyawan",
    "Hariyanto",
    "Susilo",
    "Sugiarto",
    "Purnomo",
    "Rochim",
    "Hasan",
    "Syaifullah",
    "Aminah",
    "Aisyah",
    "Rofiah",
    "Mudhar",
    "Ali",
    "Abdullah",
    "Fauzi",
    "Hidayatullah",
    "Junaidi",
    "Maghfiroh",
    "Mustofa",
    "Sholikhah",
    "Jamilah",
    "Sucipto",
    "Cahyono",
    "Tjahjono",
    "Djunaedi",
    "Soeparno",
    "Soewarno",
    "Haryadi",
    "Kusumawati",
    "Rahayu",
    "Wulandari",
    "Ningsih",
    "Sahrawi",
    "Matrakib",
    "Holilah",
    "Juhairiyah",
    "Ghozali",
)
TITLES_BEFORE_MALE = ("H.", "Dr.", "Drs.", "Ir.")
TITLES_BEFORE_FEMALE = ("Hj.", "Dr.", "Dra.", "Ir.")
DEGREES_AFTER = ("S.Pd.", "S.E.", "S.Kom.", "A.Md.", "M.M.", "S.H.", "S.T.", "M.Pd.", "S.Ag.")
# Old spelling (before 1972) ↔ new: oe/u, dj/j, tj/c.
OLD_TO_NEW = (("oe", "u"), ("dj", "j"), ("tj", "c"))

# Regencies next to each other, where people live in one and work in the other.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "3578": ("3515", "3525"),  # Surabaya: Sidoarjo, Gresik
    "3515": ("3578", "3514", "3516"),
    "3525": ("3578", "3524"),
    "3507": ("3573", "3579"),  # Kabupaten Malang: Kota Malang, Batu
    "3573": ("3507", "3579"),
    "3514": ("3575", "3515"),
    "3516": ("3576", "3517"),
    "3506": ("3571", "3518"),
    "3526": ("3578", "3527"),  # Bangkalan works in Surabaya
}


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


@dataclass
class EvalSet:
    registrants: list[EvalPerson]
    reports: list[EvalReport]
    seed: int = 0
    counts: dict[str, int] = field(default_factory=dict)


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
        return EvalPerson(
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
        if opposite:
            # "Putra" and "Putri": twins' names often differ only at the end.
            twin.full_name = _twin_name(of.full_name, gender, self.rng)
        return twin


def _twin_name(name: str, gender: str, rng: random.Random) -> str:
    pairs = (("Putra", "Putri"), ("Dwi Putra", "Dwi Putri"), ("Rizky", "Rizka"))
    base = name.split(" ")[-1] if " " in name else name
    male, female = rng.choice(pairs)
    return f"{male if gender == 'L' else female} {base}"


# --- Variation (this module's own error model) -----------------------------------------------


def _tokens(name: str) -> list[str]:
    return name.split(" ")


def _is_muhammad(token: str) -> bool:
    return token in MUHAMMAD_VARIANTS


def name_order_swapped(name: str, rng: random.Random) -> str:
    tokens = _tokens(name)
    return " ".join([*tokens[1:], tokens[0]]) if rng.random() < 0.5 else " ".join(tokens[::-1])


def first_name_dropped(name: str) -> str:
    return " ".join(_tokens(name)[1:])


def initials(name: str, rng: random.Random) -> str:
    """The first name (or, in a three-part name, sometimes the middle one) as its initial:
    "Muhammad Ali" → "M. Ali", "Siti Aminah" → "S. Aminah"."""
    tokens = _tokens(name)
    position = 1 if len(tokens) > 2 and rng.random() < 0.3 else 0
    tokens[position] = tokens[position][0].upper() + "."
    return " ".join(tokens)


def title_added(name: str, gender: str, rng: random.Random) -> str:
    before = TITLES_BEFORE_MALE if gender == "L" else TITLES_BEFORE_FEMALE
    roll = rng.random()
    if roll < 0.35:
        return f"{rng.choice(before)} {name}"
    degree = rng.choice(DEGREES_AFTER)
    after = f"{name}, {degree}" if rng.random() < 0.6 else f"{name} {degree}"
    return f"{rng.choice(before)} {after}" if roll > 0.8 else after


def muhammad_siti_variant(name: str, rng: random.Random) -> str:
    tokens = _tokens(name)
    for i, part in enumerate(tokens):
        if _is_muhammad(part):
            tokens[i] = rng.choice([v for v in MUHAMMAD_VARIANTS if v != part])
            return " ".join(tokens)
        if part in SITI_VARIANTS:
            tokens[i] = SITI_VARIANTS[part == "Siti"]
            return " ".join(tokens)
    return name


def old_spelling(name: str, rng: random.Random) -> str:
    """Old spelling written new (Soeparno → Suparno) or new written old (Joko → Djoko)."""
    lowered = name.lower()
    olds = [(old, new) for old, new in OLD_TO_NEW if old in lowered]
    if olds:
        old, new = rng.choice(olds)
        return _respell(name, old, new)
    news = [(new, old) for old, new in OLD_TO_NEW if new in lowered]
    if not news:
        return name
    new, old = rng.choice(news)
    return _respell(name, new, old)


def _respell(name: str, source: str, target: str) -> str:
    out = []
    for token in _tokens(name):
        if token.endswith("."):
            out.append(token)
            continue
        replaced = token.lower().replace(source, target)
        out.append(replaced.capitalize() if token[:1].isupper() else replaced)
    return " ".join(out)


def _has_respellable(name: str) -> bool:
    return any(
        pattern in token.lower()
        for token in _tokens(name)
        if not token.endswith(".")
        for pair in OLD_TO_NEW
        for pattern in pair
    )


def nik_digit_typo(nik: str, rng: random.Random, avoid: set[str]) -> str:
    """One wrong digit among the district and serial digits; still a well-formed NIK, and not
    anyone's real one (a typo that hits another person's NIK would measure nothing but luck)."""
    for _attempt in range(50):
        position = rng.choice((4, 5, 12, 13, 14, 15))
        digit = rng.choice([d for d in "0123456789" if d != nik[position]])
        candidate = nik[:position] + digit + nik[position + 1 :]
        if candidate not in avoid and nik_parse(candidate).ok:
            return candidate
    raise ValueError("no valid one-digit typo")


def nik_transposition(nik: str, rng: random.Random, avoid: set[str]) -> str:
    """Two neighbouring digits swapped anywhere after the province; still well-formed."""
    positions = [i for i in range(2, 15) if nik[i] != nik[i + 1]]
    rng.shuffle(positions)
    for i in positions:
        candidate = nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
        if candidate not in avoid and nik_parse(candidate).ok:
            return candidate
    raise ValueError("no valid transposition")


def _day_month_swappable(birth: date) -> bool:
    return birth.day <= 12 and birth.day != birth.month


def _year_typo(birth: date, rng: random.Random) -> date:
    # One digit of the year: the decade (1990 → 1980 or 2000, as 199x → 200x is typed).
    years = [birth.year + delta for delta in (-10, 10) if 1950 <= birth.year + delta <= 2010]
    year = rng.choice(years)
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February
        return birth.replace(year=year, day=28)


def _other_regency(regency: str, rng: random.Random, regencies: list[str]) -> str:
    choices = NEIGHBOURS.get(regency) or tuple(code for code in regencies if code != regency)
    return rng.choice(choices)


# What each class needs of the registrant, and what it does to the report.
_ELIGIBLE: dict[str, Callable[[EvalPerson], bool]] = {
    "date_day_month_swap": lambda p: _day_month_swappable(p.birth_date),
    "name_order_swapped": lambda p: len(_tokens(p.full_name)) >= 2,
    "first_name_dropped": lambda p: len(_tokens(p.full_name)) >= 2,
    "initials": lambda p: (
        len(_tokens(p.full_name)) >= 2 and not _tokens(p.full_name)[0].endswith(".")
    ),
    "muhammad_siti_variant": lambda p: any(
        _is_muhammad(t) or t in SITI_VARIANTS for t in _tokens(p.full_name)
    ),
    "old_spelling": lambda p: _has_respellable(p.full_name),
    "other_regency_nik_typo": lambda p: True,
}
_NIK_CLASSES = ("exact", "nik_digit_typo", "nik_transposition", "kk_as_nik")


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
        eligible = _ELIGIBLE.get(label, lambda p: True)
        chosen: list[EvalPerson] = []
        for i in order:
            if len(chosen) == count:
                break
            person = people[i]
            if i in used or not eligible(person):
                continue
            if label == "kk_as_nik" and person.kk in used_kk:
                continue  # two rows with one KK would be one row and a duplicate
            used.add(i)
            chosen.append(person)
        if len(chosen) < count:
            raise ValueError(f"not enough registrants for {label}")
        return chosen

    # Most constrained classes first, so the plain ones do not use up their candidates.
    for label in sorted(positives, key=lambda c: (c in _NIK_CLASSES, c)):
        for person in take(label, positives[label]):
            out.append(_positive(person, label, builder, regencies))
            if label == "kk_as_nik":
                used_kk.add(person.kk)

    for label, count in negatives.items():
        for person in take(label, count):
            other = _negative(person, label, builder, names)
            out.append(_report(other, label, rng, related=person.key, truth=None))
    for _ in range(plain):
        stranger = builder.person(
            district=rng.choice(builder.districts),
            kk=builder.kk(rng.choice(builder.districts)),
            registered=False,
        )
        out.append(_report(stranger, PLAIN_NEGATIVE, rng, truth=None))

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
    return EvalSet(registrants=people, reports=out, seed=seed, counts=counts)


def _report(
    person: EvalPerson,
    label: str,
    rng: random.Random,
    *,
    truth: str | None,
    related: str | None = None,
) -> EvalReport:
    name = person.full_name.upper() if rng.random() < UPPER_CASE_RATE else person.full_name
    return EvalReport(
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


def _positive(
    person: EvalPerson, label: str, builder: _Builder, regencies: list[str]
) -> EvalReport:
    rng = builder.rng
    report = _report(person, label, rng, truth=person.key)
    # Case first: the class's own change must survive (an initial's dot, "St.").
    name = person.full_name
    if label == "nik_digit_typo" or label not in _NIK_CLASSES:
        report.nik = nik_digit_typo(person.nik, rng, builder.niks)
    elif label == "nik_transposition":
        report.nik = nik_transposition(person.nik, rng, builder.niks)
    elif label == "kk_as_nik":
        report.nik = person.kk
    if label == "date_day_month_swap":
        birth = person.birth_date
        report.birth_date = birth.replace(day=birth.month, month=birth.day)
    elif label == "year_digit_typo":
        report.birth_date = _year_typo(person.birth_date, rng)
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
        report.regency_code = _other_regency(person.regency_code, rng, regencies)
    report.full_name = name.upper() if report.full_name.isupper() else name
    builder.niks.add(report.nik)
    return report


def _negative(person: EvalPerson, label: str, builder: _Builder, names: set[str]) -> EvalPerson:
    """Someone who never registered and looks like ``person`` (a registrant)."""
    rng = builder.rng
    if label == "namesake":
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
    return other


# --- Scoring ---------------------------------------------------------------------------------


@dataclass
class Score:
    figures: dict[str, Any]

    def table(self) -> str:
        """The figures as Markdown tables, for the console and bench/README.md."""
        f = self.figures
        lines = [
            "| automatic links | correct | wrong registrant | on negatives | true pairs | "
            "precision | recall | review pairs (true) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {f['auto_links']:,} | {f['auto_correct']:,} | {f['auto_wrong_registrant']:,} | "
            f"{f['auto_on_negatives']:,} | {f['true_pairs']:,} | {f['precision']:.4f} | "
            f"{f['recall']:.4f} | {f['review_pairs']:,} ({f['review_true']:,}) |",
            "",
            "| error class | reports | linked automatically | recall | in review | "
            "wrong registrant |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, row in f["per_class"].items():
            lines.append(
                f"| {label} | {row['reports']:,} | {row['linked']:,} | {row['recall']:.3f} | "
                f"{row['review']:,} | {row['wrong']:,} |"
            )
        lines += [
            "",
            "| negative type | reports | false automatic links | in review |",
            "|---|---:|---:|---:|",
        ]
        for label, row in f["per_negative"].items():
            lines.append(
                f"| {label} | {row['reports']:,} | {row['false_links']:,} | {row['review']:,} |"
            )
        return "\n".join(lines)


def score(
    *,
    truth: dict[int, str | None],
    labels: dict[int, str],
    auto: Iterable[tuple[int, str]],
    review: Iterable[tuple[int, str]] = (),
    phone: dict[int, bool] | None = None,
) -> Score:
    """Score a linkage run against the set's truth.

    ``truth``: report row → the registrant it is about (None for a negative); ``labels``: row →
    error class or negative type; ``auto``: the (row, registrant) pairs linked without a person
    (exact NIK and automatic); ``review``: the pairs sent to review. A true pair in review is
    *not* linked (the bar counts automatic links only). ``phone``: row → whether the report
    had a phone number, for recall split by it.
    """
    auto_of: dict[int, set[str]] = {}
    for row, key in auto:
        auto_of.setdefault(row, set()).add(key)
    review_of: dict[int, set[str]] = {}
    for row, key in review:
        review_of.setdefault(row, set()).add(key)
    auto_links = sum(len(keys) for keys in auto_of.values())
    true_pairs = sum(1 for key in truth.values() if key is not None)
    correct = sum(1 for row, keys in auto_of.items() if truth.get(row) in keys)
    wrong_registrant = sum(
        len(keys - {truth.get(row)}) for row, keys in auto_of.items() if truth.get(row)
    )
    on_negatives = sum(len(keys) for row, keys in auto_of.items() if truth.get(row) is None)

    per_class: dict[str, dict[str, Any]] = {}
    per_negative: dict[str, dict[str, Any]] = {}
    by_phone: dict[str, dict[str, Any]] = {}
    for row, label in sorted(labels.items(), key=lambda item: item[1]):
        expected = truth.get(row)
        linked = auto_of.get(row, set())
        reviewed = review_of.get(row, set())
        if expected is not None:
            entry = per_class.setdefault(
                label, {"reports": 0, "linked": 0, "review": 0, "wrong": 0}
            )
            entry["reports"] += 1
            entry["linked"] += expected in linked
            entry["review"] += expected in reviewed and expected not in linked
            entry["wrong"] += len(linked - {expected})
            if phone is not None:
                split = by_phone.setdefault(
                    "with_phone" if phone.get(row) else "without_phone",
                    {"reports": 0, "linked": 0},
                )
                split["reports"] += 1
                split["linked"] += expected in linked
        else:
            entry = per_negative.setdefault(label, {"reports": 0, "false_links": 0, "review": 0})
            entry["reports"] += 1
            entry["false_links"] += len(linked)
            entry["review"] += len(reviewed)
    for group in (*per_class.values(), *by_phone.values()):
        group["recall"] = round(group["linked"] / group["reports"], 4) if group["reports"] else 1.0
    review_pairs = sum(len(keys) for keys in review_of.values())
    review_true = sum(1 for row, keys in review_of.items() if truth.get(row) in keys)
    return Score(
        {
            "auto_links": auto_links,
            "auto_correct": correct,
            "auto_wrong_registrant": wrong_registrant,
            "auto_on_negatives": on_negatives,
            "true_pairs": true_pairs,
            "precision": round(correct / auto_links, 4) if auto_links else 1.0,
            "recall": round(correct / true_pairs, 4) if true_pairs else 1.0,
            "review_pairs": review_pairs,
            "review_true": review_true,
            "per_class": per_class,
            "per_negative": per_negative,
            "recall_by_phone": by_phone,
        }
    )
