"""Indonesian personal names in one comparable form.

What varies between two lists for the same person, and what this folds:
- titles and degrees (H., Hj., Dr., Ir., S.Pd., A.Md., M.M., ...): removed, but only where they
  are titles: a degree only in its dotted form ("S.Pd.") or after the given names ("Budi SE"),
  a title of address only before them ("H. Ahmad"). A single letter is never a title: it is an
  initial ("S. Aminah" keeps its "s");
- Muhammad (Muhamad, Mohammad, Mochamad, Moch., Moh., ...), Ahmad (Achmad, Akhmad) and
  Siti (St.): one token each; a lone "M." stays the initial "m", which agrees with Muhammad
  and with every other M name;
- the pre-1972 spelling (oe, dj, tj, sj, ch, nj) in today's form, doubled letters single.

Token order is kept here (Jaro-Winkler reads it); the comparisons use the sorted tokens too, so
"Aminah Siti" and "Siti Aminah" agree (see ``model``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

# Titles of address: written before the given names.
PREFIX_TITLES = frozenset(
    [
        "h",
        "hj",
        "haji",
        "hajah",
        "hajjah",
        "dr",
        "drs",
        "dra",
        "ir",
        "prof",
        "kh",
        "kyai",
        "bpk",
        "bapak",
        "ibu",
        "sdr",
        "sdri",
        "ny",
        "nn",
        "tn",
        "ust",
        "ustadz",
        "ustazah",
        "almarhum",
        "alm",
    ]
)
# Academic degrees (written without their dots): written after the given names.
DEGREES = frozenset(
    [
        "se",
        "sh",
        "spd",
        "spdi",
        "sag",
        "sthi",
        "ssos",
        "skom",
        "sked",
        "sip",
        "sp",
        "spt",
        "st",
        "si",
        "ssi",
        "sfarm",
        "skep",
        "sgz",
        "sikom",
        "shi",
        "sei",
        "sm",
        "sak",
        "sds",
        "ssn",
        "shum",
        "sn",
        "amd",
        "amdkeb",
        "amdkep",
        "amk",
        "ama",
        "ap",
        "mm",
        "mpd",
        "mag",
        "msi",
        "mh",
        "mkes",
        "mkom",
        "mt",
        "ma",
        "msc",
        "mba",
        "phd",
        "dr",
        "drs",
    ]
)
# A lone "M." is not here: it is an initial, which agrees with Muhammad and with any other name
# it may stand for ("M. Hadi" for Mulyono Hadi too; ``token_agrees``).
_MUHAMMAD = [
    "md",
    "mhd",
    "moh",
    "moch",
    "mochamad",
    "mochammad",
    "mohamad",
    "mohammad",
    "mohammed",
    "muh",
    "muhamad",
    "muhammad",
    "muhammed",
    "mukhamad",
    "mukhammad",
    "muchamad",
    "muchammad",
    "mokhamad",
    "mokhammad",
    "mohamed",
    "mohd",
]
_AHMAD = ["ahmad", "achmad", "akhmad", "ahmat", "achmat", "akhmat"]
_SITI = ["siti", "st", "sitti"]

_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"))
_DOUBLED = re.compile(r"([a-z])\1+")


def _fold(token: str) -> str:
    """Today's spelling, doubled letters single; repeated until nothing changes (so that the
    result is a fixed point: "sdj" becomes "sj" and then "sy")."""
    while True:
        folded = _DOUBLED.sub(r"\1", token)
        for old, new in _OLD_SPELLING:
            folded = folded.replace(old, new)
        if folded == token:
            return token
        token = folded


def spelling_fold(word: str) -> str:
    """A word in today's spelling, doubled letters single (also used for employers' names)."""
    return _fold(word)


def _family(words: list[str], canonical: str) -> dict[str, str]:
    return {_fold(word): canonical for word in words}


# Looked up after folding; the canonical token is itself a fixed point of the lookup.
_FAMILIES = {
    **_family(_MUHAMMAD, "muhammad"),
    **_family(_AHMAD, "ahmad"),
    **_family(_SITI, "siti"),
}


def _token(word: str) -> str:
    folded = _fold(word)
    return _FAMILIES.get(folded, folded)


def name_tokens(name: str) -> list[str]:
    """The name's tokens in written order, titles and degrees out, spellings folded."""
    chunks = [chunk for chunk in re.split(r"[\s,;/]+", name.lower()) if chunk]
    words: list[tuple[str, bool]] = []  # (letters, written as a dotted abbreviation)
    for chunk in chunks:
        letters = re.sub(r"[^a-z]", "", chunk)
        if not letters:
            continue
        inner_dot = "." in chunk.strip(".")
        if inner_dot and letters in DEGREES:
            continue  # "S.Pd.", "A.Md.", "M.M.": a degree wherever it stands
        if inner_dot:
            # "Moch.Ali": two words written without a space.
            words.extend((part, True) for part in re.split(r"[^a-z]+", chunk) if part)
        else:
            words.append((letters, chunk.endswith(".")))
    # Titles of address before the first given name, degrees after the last one.
    # Checked on the written and the folded form alike, so that normalising twice changes
    # nothing ("Mhh" folds to the degree "mh").
    while len(words) > 1 and _is(words[0][0], PREFIX_TITLES):
        words.pop(0)
    while len(words) > 1 and len(_token(words[-1][0])) > 1 and _is(words[-1][0], DEGREES):
        words.pop()
    return [_token(letters) for letters, _dotted in words]


def _is(word: str, kind: frozenset[str]) -> bool:
    return word in kind or _token(word) in kind


@lru_cache(maxsize=65_536)
def name_normalise(name: str) -> str:
    """One spelling per name, tokens in written order: ``"H. Moch. Djoko S.Pd."`` →
    ``"muhammad joko"``."""
    return " ".join(name_tokens(name))


def name_sorted(name: str) -> str:
    """The normalised tokens in alphabetical order: the same for any word order."""
    return " ".join(sorted(name_normalise(name).split()))


def token_agrees(a: str, b: str) -> bool:
    """Two tokens name the same word: equal, or one is the other's initial."""
    if a == b:
        return True
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def unmatched(left: list[str], right: list[str]) -> int:
    """How many of ``left``'s tokens have no agreeing token in ``right`` (the Python twin of
    the SQL in ``model._unmatched_sql``)."""
    return sum(not any(token_agrees(a, b) for b in right) for a in left)


def name_columns(frame: pl.DataFrame, column: str = "full_name") -> pl.DataFrame:
    """``name_norm`` (written order) and ``name_sorted`` for a frame, each distinct name
    normalised once (a million registrants hold far fewer distinct names)."""
    distinct = frame.select(pl.col(column).fill_null("").unique())
    values = distinct[column].to_list()
    normed = [name_normalise(value) for value in values]
    lookup = pl.DataFrame(
        {
            column: values,
            "name_norm": normed,
            "name_sorted": [" ".join(sorted(value.split())) for value in normed],
        },
        schema={column: pl.String, "name_norm": pl.String, "name_sorted": pl.String},
    )
    joined = frame.with_columns(pl.col(column).fill_null("")).join(
        lookup, on=column, how="left", maintain_order="left"
    )
    return joined.with_columns(
        pl.when(pl.col("name_norm") == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("name_norm", "name_sorted")
    )


# A name borne (as one of its words) by at least this share of the registrants is common:
# "Siti", "Muhammad", "Sri", "Nur". A report that keeps only such a word of a longer name says
# little about which of them it is (``model``: its own level).
COMMON_NAME_SHARE = 0.01
COMMON_NAME_MIN_REGISTRANTS = 10


def common_names(registrants: pl.DataFrame) -> pl.Series:
    """The words that at least ``COMMON_NAME_SHARE`` (and ``COMMON_NAME_MIN_REGISTRANTS``) of
    ``registrants`` (all of them, prepared: ``name_tokens``) bear in their names."""
    words = (
        registrants.select(pl.col("name_tokens").list.unique().alias("word"))
        .explode("word")
        .drop_nulls()
        .group_by("word")
        .agg(bearers=pl.len())
    )
    floor = max(COMMON_NAME_MIN_REGISTRANTS, COMMON_NAME_SHARE * registrants.height)
    return words.filter(pl.col("bearers") >= floor)["word"]


def name_common_column(frame: pl.DataFrame, common: pl.Series) -> pl.DataFrame:
    """``name_common`` (bool) for each row of ``frame`` (prepared: ``name_tokens``): the name is
    a single word among ``common`` (``common_names``)."""
    single = pl.col("name_tokens").list.len() == 1
    return frame.with_columns(
        name_common=(single & pl.col("name_tokens").list.first().is_in(common.implode())).fill_null(
            False
        )
    )
