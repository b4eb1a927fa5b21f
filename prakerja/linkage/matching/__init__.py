"""Probabilistic matching of reported workers to registrants (Splink 5 on DuckDB).

- ``names``: Indonesian name normalisation;
- ``model``: the comparisons (Splink's comparison library), blocking rules and training;
- ``frames``: derived columns, the candidate filter, training and scoring;
- ``assign``: one report to one registrant, ties to review.
"""

from prakerja.linkage.matching.assign import (
    AUTO_LINK_PROBABILITY,
    REVIEW_PROBABILITY,
    TIE_MARGIN_BITS,
    assign_one_to_one,
)
from prakerja.linkage.matching.frames import (
    candidate_filter,
    match_frames,
    match_with_candidates,
    nik_birth_date_expr,
    prepare_frame,
)
from prakerja.linkage.matching.model import COMPARISONS
from prakerja.linkage.matching.names import name_normalise, name_sorted

__all__ = [
    "AUTO_LINK_PROBABILITY",
    "COMPARISONS",
    "REVIEW_PROBABILITY",
    "TIE_MARGIN_BITS",
    "assign_one_to_one",
    "candidate_filter",
    "match_frames",
    "match_with_candidates",
    "name_normalise",
    "name_sorted",
    "nik_birth_date_expr",
    "prepare_frame",
]
