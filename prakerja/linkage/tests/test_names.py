"""Indonesian name normalisation (issue 12): unit and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.linkage.matching.names import (
    DEGREES,
    PREFIX_TITLES,
    name_normalise,
    name_sorted,
    unmatched,
)


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("M. Ali", "m ali"),
        ("M. Abdullah", "m abdulah"),
        ("S. Aminah", "s aminah"),
        ("Budi Santoso A.Md.", "budi santoso"),
        ("Moch. Mudhar", "muhammad mudhar"),
        ("Mochamad Mudhar", "muhammad mudhar"),
        ("St. Aminah", "siti aminah"),
        ("Hj. Sitti Choiriyah, S.E.", "siti khoiriyah"),
        ("H. Moch. Djoko S.Pd.", "muhammad joko"),
        ("Achmad Soedjono", "ahmad sujono"),
        ("Tjipto Sjarifuddin", "cipto syarifudin"),
        ("Dr. Ir. Budi, M.M.", "budi"),
        ("Budi Santoso SE", "budi santoso"),
    ],
)
def test_it_normalises_indonesian_names(written: str, normal: str) -> None:
    assert name_normalise(written) == normal


def test_an_initial_matches_the_name_it_abbreviates() -> None:
    assert unmatched(["s", "aminah"], ["aminah", "siti"]) == 0
    assert unmatched(["putra"], ["putri"]) == 1


def test_a_lone_m_is_an_initial_of_muhammad_and_of_any_other_m_name() -> None:
    short = name_normalise("M. Hadi").split()
    assert unmatched(short, name_normalise("Mochamad Hadi").split()) == 0
    assert unmatched(short, name_normalise("Mulyono Hadi").split()) == 0
    assert unmatched(name_normalise("Mulyono Hadi").split(), short) == 0
    assert name_normalise("Moh. Hadi") == name_normalise("Muhammad Hadi") == "muhammad hadi"


def test_word_order_does_not_matter() -> None:
    assert name_sorted("Aminah Siti") == name_sorted("St. Aminah")


# Words that are no title or degree, written or once folded ("Iir" folds to the title "ir",
# which is stripped where it stands first and kept elsewhere: order matters for titles).
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: not {w, name_normalise(w)} & (PREFIX_TITLES | DEGREES)
)
_NAMES = st.lists(_WORDS, min_size=1, max_size=4).map(lambda ws: " ".join(w.title() for w in ws))


@given(_NAMES)
def test_normalising_twice_changes_nothing(name: str) -> None:
    once = name_normalise(name)
    assert name_normalise(once) == once


@given(_NAMES, st.randoms())
def test_the_token_set_comparison_ignores_order(name: str, rng: object) -> None:
    words = name.split()
    rng.shuffle(words)  # type: ignore[attr-defined]
    assert name_sorted(" ".join(words)) == name_sorted(name)


@given(
    _NAMES,
    st.sampled_from(["H.", "Hj.", "Dr.", "Drs.", "Ir.", "Prof."]),
    st.sampled_from(["S.Pd.", "S.E.", "S.Kom.", "A.Md.", "M.M.", ", S.H.", "SE"]),
)
def test_adding_a_title_or_degree_never_changes_the_result(
    name: str, title: str, degree: str
) -> None:
    expected = name_normalise(name)
    assert name_normalise(f"{title} {name}") == expected
    assert name_normalise(f"{name} {degree}") == expected


@given(_NAMES, _WORDS)
def test_a_dropped_word_leaves_one_token_unmatched(name: str, extra: str) -> None:
    short = name_normalise(name).split()
    longer = name_normalise(f"{name} {extra}").split()
    assert unmatched(short, longer) == 0
    assert unmatched(longer, short) <= 1
