"""The evaluation set's employers: where each person worked, what the applicant typed as
"tempat kerja terakhir" on the registration, and what the report's "perusahaan" says.

Its own vocabulary and error model; nothing comes from ``labourdata.synthetic``. Every draw
here uses its own random stream (``Jobs.rng``), so adding employers left the rest of the
population (names, NIKs, dates, phones, the reports' error classes) exactly as it was.

The model, with the rates below:
- each regency has its own employers in three tiers: a few large factories and hotels
  (``large``: 35% of the regency's workers among 5 employers), medium ones (35% among 40) and
  small shops, workshops and eating places (30% among 250). Names are composed from East Java
  company words ("PT Surya Kencana Tekstil", "CV Mitra Sejati Konveksi", "UD Sumber Rejeki",
  "Toko Barokah", "Hotel Bumi Mas"), so small names recur across regencies as they do in life;
- a person works in the regency where they live, or (15%) in a neighbouring one;
- 7% worked abroad (PMI): their report is category PMI with no company, and their
  registration names a place abroad or nothing;
- a household member works where the household's first member works 25% of the time (families
  in the same factory), and so do relatives and twins reported as hard negatives;
- the registration's "tempat kerja terakhir" is blank for 35% of applicants; 10% name another
  workplace (an earlier or later job); the rest name the reporting employer as an applicant
  types it: legal form dropped (40%), "PT." with a dot (30% of those kept), abbreviated as an
  acronym ("PT SKT") or as its first words ("Surya Kencana") (15%), a branch or unit added
  ("Cabang Sidoarjo", "Unit 2", "Plant 3", or the town) (15%), one letter wrong in a word of
  four or more (10%), "Tbk"/"(Persero)" kept only 10% of the time, and in lower case (25%),
  capitals (35%) or as written (40%);
- the report's "perusahaan" is the employer's formal name as the company writes it ("PT Surya
  Kencana Tekstil Tbk", "PT. …" 20%, in capitals 50%), blank on 8% of non-PMI rows (a Disnaker
  list that left the column empty);
- hard negatives: 8% of the namesakes (``NAMESAKE_SAME_EMPLOYER_SHARE``, a quota) work at the
  registrant's own employer, chosen among registrants of a large employer (people from one
  place work at its big factory); the other namesakes draw their employer as anyone in their
  regency does, which adds chance collisions at the large employers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prakerja.linkage.evaluation.names import NEIGHBOURS

if TYPE_CHECKING:
    from prakerja.linkage.evaluation.population import EvalPerson

# (share of a regency's workers, employers per regency) per tier.
TIERS: dict[str, tuple[float, int]] = {
    "large": (0.35, 5),
    "medium": (0.35, 40),
    "small": (0.30, 250),
}
WORKS_IN_NEIGHBOUR_RATE = 0.15
MIGRANT_RATE = 0.07
HOUSEHOLD_SAME_EMPLOYER_RATE = 0.25
# The registration's "tempat kerja terakhir", typed by the applicant.
LAST_EMPLOYER_BLANK_RATE = 0.35
LAST_EMPLOYER_OTHER_RATE = 0.10
LEGAL_FORM_DROPPED_RATE = 0.40
LEGAL_FORM_DOTTED_RATE = 0.30
ABBREVIATED_RATE = 0.15
BRANCH_SUFFIX_RATE = 0.15
EMPLOYER_TYPO_RATE = 0.10
FORMAL_SUFFIX_KEPT_RATE = 0.10
# The report's "perusahaan", written by the company or the office.
COMPANY_BLANK_RATE = 0.08
COMPANY_DOTTED_RATE = 0.20
COMPANY_UPPER_RATE = 0.50
# Hard negatives.
NAMESAKE_SAME_EMPLOYER_SHARE = 0.08

_WORDS = (
    "Surya",
    "Kencana",
    "Sinar",
    "Mulia",
    "Abadi",
    "Jaya",
    "Makmur",
    "Sentosa",
    "Sejahtera",
    "Karya",
    "Mitra",
    "Bumi",
    "Intan",
    "Mas",
    "Agung",
    "Prima",
    "Utama",
    "Cahaya",
    "Berkah",
    "Barokah",
    "Sumber",
    "Rejeki",
    "Lestari",
    "Maju",
    "Bersama",
    "Anugerah",
    "Indah",
    "Putra",
    "Tunggal",
    "Nusa",
    "Wijaya",
    "Kusuma",
    "Delta",
    "Harapan",
    "Mandiri",
    "Perkasa",
    "Gemilang",
    "Bintang",
    "Mekar",
    "Asri",
    "Persada",
    "Samudra",
    "Brantas",
    "Kelud",
    "Arjuna",
    "Semeru",
    "Wilis",
    "Penataran",
    "Sekar",
    "Tirta",
    "Sejati",
    "Rahayu",
    "Langgeng",
    "Santoso",
    "Gading",
    "Kartika",
)
# (legal form, sector words, how the formal name is built) per kind of employer.
_FACTORY_SECTORS = (
    "Tekstil",
    "Garmen",
    "Sepatu",
    "Plastik",
    "Kertas",
    "Tembakau",
    "Makanan",
    "Baja",
    "Kayu",
    "Kimia",
    "Keramik",
    "Elektronik",
    "Indonesia",
    "Industri",
)
_CV_SECTORS = ("Konveksi", "Teknik", "Mebel", "Bangunan", "Logam", "Percetakan", "Batik")
_SHOP_PREFIXES = ("UD", "Toko", "Swalayan", "Rumah Makan", "Bengkel", "Depot")
_KINDS_BY_TIER = {
    "large": (("factory", 0.8), ("hotel", 0.2)),
    "medium": (("factory", 0.4), ("hotel", 0.2), ("cv", 0.25), ("shop", 0.15)),
    "small": (("shop", 0.7), ("cv", 0.3)),
}
_ABROAD = (
    "Majikan di Hong Kong",
    "Pabrik di Taiwan",
    "Kilang di Malaysia",
    "Perkebunan Sawit Malaysia",
    "Rumah tangga Singapura",
    "Kapal ikan Korea",
)


@dataclass(frozen=True, slots=True)
class Employer:
    legal: str  # "PT", "CV", "UD", or "" (a Toko, a Rumah Makan: the prefix is in ``words``)
    words: tuple[str, ...]  # the name proper, as the company writes it
    suffix: str  # "Tbk", "(Persero)" or ""
    tier: str
    regency: str

    @property
    def formal(self) -> str:
        return " ".join(part for part in (self.legal, *self.words, self.suffix) if part)


class Jobs:
    """The employers of every regency, and each person's employer and typed last employer."""

    def __init__(self, seed: int, regency_names: dict[str, str]) -> None:
        self.rng = random.Random(f"linkage-eval-employers-{seed}")  # noqa: S311 - fake data
        self.regency_names = regency_names
        self.employers: list[Employer] = []
        self.by_tier: dict[tuple[str, str], list[int]] = {}
        for regency in sorted(regency_names):
            for tier, (_share, count) in TIERS.items():
                self.by_tier[regency, tier] = [self._new(regency, tier) for _ in range(count)]

    def _new(self, regency: str, tier: str) -> int:
        rng = self.rng
        kinds, weights = zip(*_KINDS_BY_TIER[tier], strict=True)
        kind = rng.choices(kinds, weights=weights)[0]
        proper = rng.sample(_WORDS, 3 if tier == "large" and rng.random() < 0.5 else 2)
        suffix = ""
        if kind == "factory":
            legal, words = "PT", (*proper, rng.choice(_FACTORY_SECTORS))
            if tier == "large":
                suffix = rng.choices(("Tbk", "(Persero)", ""), weights=(20, 10, 70))[0]
        elif kind == "hotel":
            legal, words = "PT", ("Hotel", *proper)
        elif kind == "cv":
            legal, words = "CV", (*proper, rng.choice(_CV_SECTORS))
        else:
            prefix = rng.choice(_SHOP_PREFIXES)
            legal, words = ("UD", tuple(proper)) if prefix == "UD" else ("", (prefix, *proper))
        self.employers.append(Employer(legal, tuple(words), suffix, tier, regency))
        return len(self.employers) - 1

    def draw(self, regency: str) -> int:
        """An employer for someone living in ``regency``, weighted by the tiers' shares."""
        rng = self.rng
        if regency in NEIGHBOURS and rng.random() < WORKS_IN_NEIGHBOUR_RATE:
            regency = rng.choice(NEIGHBOURS[regency])
        if (regency, "large") not in self.by_tier:
            regency = rng.choice(sorted(self.regency_names))
        tiers = list(TIERS)
        tier = rng.choices(tiers, weights=[TIERS[t][0] for t in tiers])[0]
        return rng.choice(self.by_tier[regency, tier])

    def assign(self, person: EvalPerson) -> None:
        """Where ``person`` worked (None: abroad, a PMI) and what they typed as last employer."""
        person.employer = (
            None if self.rng.random() < MIGRANT_RATE else self.draw(person.regency_code)
        )
        self._type_last_employer(person)

    def share(self, person: EvalPerson, with_: EvalPerson, rate: float = 1.0) -> None:
        """``person`` works where ``with_`` works (with probability ``rate``; a relative who
        worked abroad stays abroad, a namesake made to share, ``rate`` 1, does not)."""
        if person.employer is None and rate < 1.0:
            return
        if with_.employer is not None and self.rng.random() < rate:
            person.employer = with_.employer
            self._type_last_employer(person)

    def _type_last_employer(self, person: EvalPerson) -> None:
        rng = self.rng
        person.last_employer_index = None
        if rng.random() < LAST_EMPLOYER_BLANK_RATE:
            person.last_employer = ""
        elif person.employer is None:
            person.last_employer = rng.choice(_ABROAD) if rng.random() < 0.5 else ""
        elif rng.random() < LAST_EMPLOYER_OTHER_RATE:
            person.last_employer_index = self.draw(person.regency_code)
            person.last_employer = self.typed(person.last_employer_index)
        else:
            person.last_employer_index = person.employer
            person.last_employer = self.typed(person.employer)

    def typed(self, index: int) -> str:
        """The employer as an applicant types it (the module docstring's rates)."""
        rng = self.rng
        employer = self.employers[index]
        legal = employer.legal
        if legal and rng.random() < LEGAL_FORM_DROPPED_RATE:
            legal = ""
        elif legal and rng.random() < LEGAL_FORM_DOTTED_RATE:
            legal += "."
        words = list(employer.words)
        if rng.random() < ABBREVIATED_RATE:
            words = _abbreviated(employer, words, rng)
        if rng.random() < EMPLOYER_TYPO_RATE:
            words = _typo(words, rng)
        if employer.suffix and rng.random() < FORMAL_SUFFIX_KEPT_RATE:
            words.append(employer.suffix)
        if rng.random() < BRANCH_SUFFIX_RATE:
            town = self.regency_names.get(employer.regency, "").split(" ", 1)[-1]
            words.append(
                rng.choice(
                    (
                        f"Cabang {town}",
                        f"Unit {rng.randint(1, 4)}",
                        f"Plant {rng.randint(1, 3)}",
                        town,
                    )
                )
            )
        text = " ".join(part for part in (legal, *words) if part)
        roll = rng.random()
        if roll < 0.25:
            return text.lower()
        if roll < 0.6:
            return text.upper()
        return text

    def written(self, person: EvalPerson) -> str:
        """The report's "perusahaan" for ``person`` ("" for a PMI or a list without it)."""
        rng = self.rng
        if person.employer is None or rng.random() < COMPANY_BLANK_RATE:
            return ""
        formal = self.employers[person.employer].formal
        if formal.startswith(("PT ", "CV ", "UD ")) and rng.random() < COMPANY_DOTTED_RATE:
            formal = formal[:2] + "." + formal[2:]
        return formal.upper() if rng.random() < COMPANY_UPPER_RATE else formal

    def is_large(self, person: EvalPerson) -> bool:
        return person.employer is not None and self.employers[person.employer].tier == "large"


def _abbreviated(employer: Employer, words: list[str], rng: random.Random) -> list[str]:
    """ "RM Sumber Rejeki", "Bumi Mas" for "Hotel Bumi Mas", "Sumber Rejeki" for "Toko Sumber
    Rejeki"; a PT's or CV's name as its acronym ("SKT") or without its sector word; a UD's
    two-word name stays as it is."""
    if employer.legal == "UD":
        return words
    if words[0] == "Rumah Makan":
        return ["RM", *words[1:]]
    if words[0] in (*_SHOP_PREFIXES, "Hotel"):
        return words[1:]
    if rng.random() < 0.5:
        return ["".join(word[0] for word in words).upper()]
    return words[:-1]


def _typo(words: list[str], rng: random.Random) -> list[str]:
    """One letter wrong (dropped, replaced or two swapped) in a word of four letters or more."""
    long = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not long:
        return words
    i = rng.choice(long)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    roll = rng.random()
    if roll < 0.34:
        word = word[:at] + word[at + 1 :]
    elif roll < 0.67:
        letter = rng.choice([c for c in "aeiounrst" if c != word[at].lower()])
        word = word[:at] + letter + word[at + 1 :]
    else:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return [*words[:i], word, *words[i + 1 :]]
