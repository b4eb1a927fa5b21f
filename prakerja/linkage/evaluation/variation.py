"""The evaluation set's own error model: what each error class does to a report's name, NIK
or birth date, and which registrants a class can apply to."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from prakerja.identity.nik import nik_parse
from prakerja.linkage.evaluation.names import (
    DEGREES_AFTER,
    MUHAMMAD_VARIANTS,
    NEIGHBOURS,
    OLD_TO_NEW,
    SITI_VARIANTS,
    TITLES_BEFORE_FEMALE,
    TITLES_BEFORE_MALE,
)

if TYPE_CHECKING:
    from prakerja.linkage.evaluation.population import EvalPerson


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


def year_typo(birth: date, rng: random.Random) -> date:
    # One digit of the year: the decade (1990 → 1980 or 2000, as 199x → 200x is typed).
    years = [birth.year + delta for delta in (-10, 10) if 1950 <= birth.year + delta <= 2010]
    year = rng.choice(years)
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February
        return birth.replace(year=year, day=28)


def other_regency(regency: str, rng: random.Random, regencies: list[str]) -> str:
    choices = NEIGHBOURS.get(regency) or tuple(code for code in regencies if code != regency)
    return rng.choice(choices)


# What each class needs of the registrant, and what it does to the report.
ELIGIBLE: dict[str, Callable[[EvalPerson], bool]] = {
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
NIK_CLASSES = ("exact", "nik_digit_typo", "nik_transposition", "kk_as_nik")
