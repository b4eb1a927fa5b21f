"""Scoring a linkage run against the evaluation set's truth, per error class and negative type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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
            "wrong registrant | reviewer-linkable | linked of those | recall (linkable) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, row in f["per_class"].items():
            lines.append(
                f"| {label} | {row['reports']:,} | {row['linked']:,} | {row['recall']:.3f} | "
                f"{row['review']:,} | {row['wrong']:,} | {row['linkable']:,} | "
                f"{row['linkable_linked']:,} | {row['recall_linkable']:.3f} |"
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
    evidence: dict[int, str] | None = None,
) -> Score:
    """Score a linkage run against the set's truth.

    ``truth``: report row → the registrant it is about (None for a negative); ``labels``: row →
    error class or negative type; ``auto``: the (row, registrant) pairs linked without a person
    (exact NIK and automatic); ``review``: the pairs sent to review. A true pair in review is
    *not* linked (the bar counts automatic links only). ``phone``: row → whether the report
    had a phone number, for recall split by it. ``evidence``: row → what points to the one
    person (``reviewable.evidence``; "" when nothing a namesake lacks): recall is also given
    over the reviewer-linkable pairs (every true pair when it is absent).
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
                label,
                {
                    "reports": 0,
                    "linked": 0,
                    "review": 0,
                    "wrong": 0,
                    "linkable": 0,
                    "linkable_linked": 0,
                },
            )
            entry["reports"] += 1
            entry["linked"] += expected in linked
            if evidence is None or evidence.get(row, "x"):
                entry["linkable"] += 1
                entry["linkable_linked"] += expected in linked
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
    for group in per_class.values():
        group["recall_linkable"] = (
            round(group["linkable_linked"] / group["linkable"], 4) if group["linkable"] else 1.0
        )
    linkable = sum(group["linkable"] for group in per_class.values())
    linkable_linked = sum(group["linkable_linked"] for group in per_class.values())
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
            "reviewer_linkable_pairs": linkable,
            "recall_linkable": round(linkable_linked / linkable, 4) if linkable else 1.0,
            "evidence_counts": _evidence_counts(labels, evidence),
            "review_pairs": review_pairs,
            "review_true": review_true,
            "per_class": per_class,
            "per_negative": per_negative,
            "recall_by_phone": by_phone,
        }
    )


def _evidence_counts(
    labels: dict[int, str], evidence: dict[int, str] | None
) -> dict[str, dict[str, int]]:
    """Per error class, how many true pairs carry each kind of evidence ("none": nothing a
    namesake lacks)."""
    counts: dict[str, dict[str, int]] = {}
    for row, kind in (evidence or {}).items():
        per = counts.setdefault(labels[row], {})
        per[kind or "none"] = per.get(kind or "none", 0) + 1
    return dict(sorted(counts.items()))
