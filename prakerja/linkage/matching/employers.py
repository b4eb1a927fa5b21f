"""Employer names in one comparable form: the registration's "tempat kerja terakhir" (typed by
the applicant) against the report's "perusahaan" (written by the company or the office).

What varies between the two for one employer, and what this folds:
- the legal form and its suffixes (PT, P.T., PT., CV, UD, Tbk, (Persero), Perseroan Terbatas):
  removed wherever they stand; an applicant leaves them out, a company writes them;
- punctuation and case ("PT. SURYA-KENCANA" is "surya kencana");
- the pre-1972 spelling and doubled letters, as in personal names ("Tjiwi" is "ciwi").

What is left to the comparison levels (``model``): a word dropped or a branch or unit added
("Surya Kencana" for "Surya Kencana Tekstil", "… Cabang Sidoarjo") is a subset of the other's
words; an acronym ("SKT") is the initials of the other's words; a typo is Jaro-Winkler.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import polars as pl

from prakerja.linkage.matching.names import spelling_fold

LEGAL_FORMS = frozenset(["pt", "cv", "ud", "tbk", "persero", "perseroan", "terbatas"])
# "P.T.", "C.V.", "U.D.": single letters with dots, one abbreviation.
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z]\.\s?){2,}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def employer_tokens(text: str) -> list[str]:
    """The employer's words in written order, legal forms out, spelling folded."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    lowered = _DOTTED_LETTERS.sub(
        lambda m: m.group(0).replace(".", "").replace(" ", "") + " ", ascii_text.lower()
    )
    words = [word for word in _NOT_ALNUM.split(lowered) if word]
    return [
        spelling_fold(word) if word.isalpha() else word for word in words if word not in LEGAL_FORMS
    ]


@lru_cache(maxsize=65_536)
def employer_normalise(text: str) -> str:
    """``"PT. Tjahaja Kentjana Tbk"`` → ``"cahaya kencana"``; ``""`` when nothing is left."""
    return " ".join(employer_tokens(text))


def employer_initials(normalised: str) -> str | None:
    """The initials of a name of two words or more ("surya kencana tekstil" → "skt"), which
    is how an acronym of it is written; None for a one-word name."""
    words = normalised.split()
    return "".join(word[0] for word in words) if len(words) >= 2 else None


def employer_columns(frame: pl.DataFrame, column: str = "employer") -> pl.DataFrame:
    """``employer_norm`` (null when blank), ``employer_tokens`` and ``employer_initials`` for a
    frame, each distinct text normalised once."""
    if column not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    distinct = frame.select(pl.col(column).cast(pl.String).fill_null("").unique())[column]
    values = distinct.to_list()
    normed = [employer_normalise(value) for value in values]
    lookup = pl.DataFrame(
        {
            column: values,
            "employer_norm": [value or None for value in normed],
            "employer_initials": [employer_initials(value) for value in normed],
        },
        schema={column: pl.String, "employer_norm": pl.String, "employer_initials": pl.String},
    )
    joined = frame.with_columns(pl.col(column).cast(pl.String).fill_null("")).join(
        lookup, on=column, how="left", maintain_order="left"
    )
    return joined.with_columns(employer_tokens=pl.col("employer_norm").str.split(" "))


# An employer that at least this share of some regency's registrants name (and at least
# ``LARGE_EMPLOYER_MIN_REGISTRANTS`` of them) is a large one: a factory or hotel employing
# thousands, where people from one place and the regencies around it, namesakes among them,
# work side by side. The same employer on both sides then says less (``model``: its own level,
# which does not identify). Large anywhere is large everywhere: its workers commute.
LARGE_EMPLOYER_SHARE = 0.01
LARGE_EMPLOYER_MIN_REGISTRANTS = 10


def employer_large_column(frame: pl.DataFrame, registrants: pl.DataFrame) -> pl.DataFrame:
    """``employer_large`` (bool) for each row of ``frame`` (prepared: ``employer_norm``):
    whether the registrants of some regency name its employer often enough for it to be a
    large one. ``registrants``: all registrants, prepared (``regency``, ``employer_norm``)."""
    named = registrants.filter(pl.col("employer_norm").is_not_null())
    counts = named.group_by("regency", "employer_norm").agg(named=pl.len())
    totals = registrants.group_by("regency").agg(total=pl.len())
    large = (
        counts.join(totals, on="regency")
        .filter(
            (pl.col("named") >= LARGE_EMPLOYER_MIN_REGISTRANTS)
            & (pl.col("named") >= LARGE_EMPLOYER_SHARE * pl.col("total"))
        )
        .select("employer_norm", employer_large=pl.lit(True))
        .unique()
    )
    return frame.join(large, on="employer_norm", how="left", maintain_order="left").with_columns(
        pl.col("employer_large").fill_null(False)
    )
