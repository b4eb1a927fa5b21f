"""The independent linkage evaluation set (issue 12, item 6) and the bench's scoring of it.

No database: the set is data only; ``bench/linkage.py --population independent`` inserts it.
"""

from __future__ import annotations

from datetime import date

import pytest

from prakerja.identity.nik import FEMALE_DAY_OFFSET, kk_parse, nik_parse
from prakerja.labourdata import synthetic
from prakerja.linkage.evaluation import employers, population, reviewable, scoring, variation
from prakerja.linkage.evaluation.population import EvalReport, EvalSet

REGISTRANTS = 4000
REPORTS = 2000


@pytest.fixture(scope="module")
def dataset() -> EvalSet:
    return population.build(REGISTRANTS, REPORTS, seed=5)


def _by_key(dataset: EvalSet) -> dict[str, population.EvalPerson]:
    return {person.key: person for person in dataset.registrants}


def _digits_differing(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def test_the_same_seed_gives_the_same_set_and_another_seed_another(dataset: EvalSet) -> None:
    again = population.build(REGISTRANTS, REPORTS, seed=5)
    other = population.build(REGISTRANTS, REPORTS, seed=6)

    assert again.registrants == dataset.registrants
    assert again.reports == dataset.reports
    assert other.reports != dataset.reports
    assert [p.nik for p in other.registrants] != [p.nik for p in dataset.registrants]


def test_every_error_class_and_negative_type_appears_at_its_rate(dataset: EvalSet) -> None:
    counts = dataset.counts
    for label, rate in {**population.POSITIVE_CLASSES, **population.NEGATIVE_TYPES}.items():
        assert counts[label] == round(rate * REPORTS), label
    assert sum(counts.values()) == len(dataset.reports) == REPORTS
    assert counts[population.PLAIN_NEGATIVE] > 0
    positives = [r for r in dataset.reports if r.truth_key is not None]
    assert len(positives) == sum(round(r * REPORTS) for r in population.POSITIVE_CLASSES.values())
    with_phone = sum(1 for report in dataset.reports if report.phone) / REPORTS
    assert abs(with_phone - population.PHONE_PRESENT_RATE) < 0.04
    shared: dict[str, list[population.EvalPerson]] = {}
    for person in dataset.registrants:
        shared.setdefault(person.kk, []).append(person)
    households_with_a_shared_phone = [
        members
        for members in shared.values()
        if len(members) > 1 and len({m.phone for m in members}) == 1
    ]
    assert households_with_a_shared_phone


def test_every_generated_nik_and_kk_is_well_formed_and_report_niks_are_unique(
    dataset: EvalSet,
) -> None:
    for person in dataset.registrants:
        parsed = nik_parse(person.nik, stated_birth_date=person.birth_date)
        assert parsed.ok, person.nik
        assert parsed.gender == person.gender
        assert parsed.birth_date == person.birth_date
        assert kk_parse(person.kk).ok
    assert len({p.nik for p in dataset.registrants}) == REGISTRANTS
    for report in dataset.reports:
        assert nik_parse(report.nik).ok, report.label
    assert len({r.nik for r in dataset.reports}) == REPORTS
    registrant_niks = {p.nik for p in dataset.registrants}
    for report in dataset.reports:
        if report.truth_key is None:
            assert report.nik not in registrant_niks, report.label


def test_each_positive_carries_exactly_its_error(dataset: EvalSet) -> None:
    people = _by_key(dataset)
    name_classes = {
        "name_order_swapped",
        "first_name_dropped",
        "initials",
        "title_added",
        "muhammad_siti_variant",
        "old_spelling",
    }
    for report in dataset.reports:
        if report.truth_key is None:
            continue
        person = people[report.truth_key]
        label = report.label
        if label == "exact":
            assert report.nik == person.nik
        elif label == "kk_as_nik":
            assert report.nik == person.kk
        elif label == "nik_transposition":
            assert sorted(report.nik) == sorted(person.nik)
            assert _digits_differing(report.nik, person.nik) == 2
        else:
            # Every other class comes with a one-digit NIK typo, else exact NIK would hide it.
            assert _digits_differing(report.nik, person.nik) == 1, label
        if label == "date_day_month_swap":
            born = person.birth_date
            assert report.birth_date == date(born.year, born.day, born.month)
            assert report.birth_date != born
        elif label == "year_digit_typo":
            assert abs(report.birth_date.year - person.birth_date.year) == 10
        else:
            assert report.birth_date == person.birth_date, label
        if label == "other_regency_nik_typo":
            assert report.regency_code != person.regency_code
        else:
            assert report.regency_code == person.regency_code
        if label in name_classes:
            assert report.full_name.lower() != person.full_name.lower(), label
        else:
            assert report.full_name.lower() == person.full_name.lower(), label
        if report.phone:
            assert report.phone == person.phone


def test_the_name_variations_are_the_indonesian_ones() -> None:
    import random

    rng = random.Random(1)
    assert variation.initials("Muhammad Ali", random.Random(0)) == "M. Ali"
    assert variation.initials("Siti Aminah", random.Random(0)) == "S. Aminah"
    assert variation.first_name_dropped("Moch. Mudhar Hasan") == "Mudhar Hasan"
    assert variation.muhammad_siti_variant("Siti Aminah", rng) == "St. Aminah"
    assert variation.muhammad_siti_variant("St. Aminah", rng) == "Siti Aminah"
    assert variation.muhammad_siti_variant("M. Mudhar", rng).split(" ")[0] in {
        "Muhammad",
        "Muhamad",
        "Mohammad",
        "Mochamad",
        "Moch.",
        "Moh.",
    }
    assert variation.old_spelling("Soekarno", rng) == "Sukarno"
    assert variation.old_spelling("Djoko Tjahjono", rng) in {"Joko Tjahjono", "Djoko Cahjono"}
    assert variation.old_spelling("Joko", rng) == "Djoko"
    titled = variation.title_added("Budi Santoso", "L", random.Random(2))
    assert "Budi Santoso" in titled and titled != "Budi Santoso"


def test_each_hard_negative_resembles_its_registrant_as_labelled(dataset: EvalSet) -> None:
    people = _by_key(dataset)
    seen: set[str] = set()
    for report in dataset.reports:
        if report.truth_key is not None or report.label == population.PLAIN_NEGATIVE:
            continue
        seen.add(report.label)
        assert report.related_key is not None
        person = people[report.related_key]
        assert report.nik != person.nik
        if report.label.startswith("namesake"):
            assert report.full_name.lower() == person.full_name.lower()
            assert report.birth_date == person.birth_date
            assert report.regency_code == person.regency_code
            assert report.nik[:4] == person.nik[:4]
        elif report.label.startswith("twin"):
            assert report.birth_date == person.birth_date
            assert report.nik[:6] == person.nik[:6]
            day_reg, day_rep = int(person.nik[6:8]), int(report.nik[6:8])
            if report.label == "twin_same_sex":
                assert report.gender == person.gender
                assert report.nik[:12] == person.nik[:12]  # only the serial differs
            else:
                assert report.gender != person.gender
                assert abs(day_rep - day_reg) == FEMALE_DAY_OFFSET
        elif report.label == "relative_shared_phone":
            assert report.nik[:6] == person.nik[:6]
            if report.phone:
                assert report.phone == person.phone
    assert seen == set(population.NEGATIVE_TYPES)


def _report(label: str, truth: str | None) -> EvalReport:
    return EvalReport(
        nik="3578010101900001",
        full_name="X",
        birth_date=date(1990, 1, 1),
        gender="L",
        regency_code="3578",
        phone="",
        truth_key=truth,
        label=label,
    )


def test_the_score_counts_a_hand_made_run_correctly() -> None:
    # Rows 2-5 are about registrants A-D, rows 6-8 about people who never registered.
    truth = {2: "A", 3: "B", 4: "C", 5: "D", 6: None, 7: None, 8: None}
    labels = {
        2: "exact",
        3: "exact",
        4: "kk_as_nik",
        5: "kk_as_nik",
        6: "twin_opposite_sex",
        7: "namesake",
        8: "never_registered",
    }
    auto = {(2, "A"), (3, "X"), (6, "A")}  # one right, one wrong registrant, one twin
    review = {(4, "C"), (7, "B")}  # a true pair in review is not a link
    # Row 3 carries nothing a namesake lacks (``reviewable``): not reviewer-linkable.
    evidence = {2: "nik", 3: "", 4: "kk", 5: "kk"}
    figures = scoring.score(
        truth=truth,
        labels=labels,
        auto=auto,
        review=review,
        phone={2: True, 3: False},
        evidence=evidence,
    ).figures

    assert figures["auto_links"] == 3
    assert figures["auto_correct"] == 1
    assert figures["auto_wrong_registrant"] == 1
    assert figures["auto_on_negatives"] == 1
    assert figures["true_pairs"] == 4
    assert figures["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["recall"] == 0.25
    assert figures["review_pairs"] == 2
    assert figures["review_true"] == 1
    assert figures["per_class"]["exact"] == {
        "reports": 2,
        "linked": 1,
        "review": 0,
        "wrong": 1,
        "recall": 0.5,
        "linkable": 1,
        "linkable_linked": 1,
        "recall_linkable": 1.0,
    }
    assert figures["per_class"]["kk_as_nik"] == {
        "reports": 2,
        "linked": 0,
        "review": 1,
        "wrong": 0,
        "recall": 0.0,
        "linkable": 2,
        "linkable_linked": 0,
        "recall_linkable": 0.0,
    }
    assert figures["reviewer_linkable_pairs"] == 3
    assert figures["recall_linkable"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["evidence_counts"] == {
        "exact": {"nik": 1, "none": 1},
        "kk_as_nik": {"kk": 2},
    }
    assert figures["per_negative"] == {
        "namesake": {"reports": 1, "false_links": 0, "review": 1},
        "never_registered": {"reports": 1, "false_links": 0, "review": 0},
        "twin_opposite_sex": {"reports": 1, "false_links": 1, "review": 0},
    }
    assert figures["recall_by_phone"]["with_phone"]["recall"] == 1.0
    assert figures["recall_by_phone"]["without_phone"]["linked"] == 0
    table = scoring.Score(figures).table()
    assert "| twin_opposite_sex | 1 | 1 | 0 |" in table
    assert "| exact | 2 | 1 | 0.500 | 0 | 1 | 1 | 1 | 1.000 |" in table


def test_keys_turn_into_registry_references() -> None:
    # The bench names registrants by ``synthetic.reference_for(key)``; distinct keys, distinct
    # references, for this set's "E…" keys too.
    keys = [f"E4-{i}" for i in range(2000)]
    assert len({synthetic.reference_for(key) for key in keys}) == len(keys)


def _formal(dataset: EvalSet, person: population.EvalPerson) -> str:
    assert person.employer is not None
    return dataset.employers[person.employer].formal


def _as_written(company: str) -> str:
    """The formal name back from the report's cell (capitals, "PT." with a dot)."""
    return company.replace(".", "", 1).lower() if company[2:3] == "." else company.lower()


def test_every_registrant_worked_somewhere_and_typed_it_at_the_stated_rates(
    dataset: EvalSet,
) -> None:
    people = dataset.registrants
    abroad = [p for p in people if p.employer is None]
    assert 0.04 < len(abroad) / len(people) < employers.MIGRANT_RATE + 0.01
    blank = sum(1 for p in people if not p.last_employer) / len(people)
    # Blank as typed, plus half of those who worked abroad.
    expected = employers.LAST_EMPLOYER_BLANK_RATE + 0.65 * 0.5 * len(abroad) / len(people)
    assert abs(blank - expected) < 0.03
    typed_own = sum(
        1
        for p in people
        if p.employer is not None
        and p.last_employer
        and p.last_employer.lower() == _formal(dataset, p).lower()
    )
    assert 0 < typed_own < 0.5 * len(people)  # most are typed some other way
    tiers = [dataset.employers[p.employer].tier for p in people if p.employer is not None]
    assert abs(tiers.count("large") / len(tiers) - employers.TIERS["large"][0]) < 0.04


def test_a_report_names_the_employer_formally_and_a_pmi_report_none(dataset: EvalSet) -> None:
    people = {p.key: p for p in dataset.registrants}
    positives = [r for r in dataset.reports if r.truth_key is not None]
    for report in positives:
        person = people[report.truth_key]  # type: ignore[index]
        assert report.migrant == (person.employer is None)
        if report.migrant:
            assert report.company == ""
        elif report.company:
            assert _as_written(report.company) == _formal(dataset, person).lower()
    blank = sum(1 for r in positives if not r.migrant and not r.company)
    working = sum(1 for r in positives if not r.migrant)
    assert abs(blank / working - employers.COMPANY_BLANK_RATE) < 0.03


def test_namesakes_at_the_registrants_own_employer_are_a_quota_of_large_employers(
    dataset: EvalSet,
) -> None:
    people = {p.key: p for p in dataset.registrants}
    sharing = [r for r in dataset.reports if r.label == "namesake_same_employer"]
    assert len(sharing) == round(population.NEGATIVE_TYPES["namesake_same_employer"] * REPORTS)
    namesakes = dataset.counts["namesake"] + len(sharing)
    assert abs(len(sharing) / namesakes - employers.NAMESAKE_SAME_EMPLOYER_SHARE) < 0.01
    for report in sharing:
        person = people[report.related_key]  # type: ignore[index]
        assert dataset.employers[person.employer].tier == "large"  # type: ignore[index]
        if report.company:
            assert _as_written(report.company) == _formal(dataset, person).lower()


def test_an_applicant_types_the_employer_as_people_do() -> None:
    import random

    factory = employers.Employer("PT", ("Surya", "Kencana", "Tekstil"), "Tbk", "large", "3515")
    shop = employers.Employer("", ("Rumah Makan", "Sumber", "Rejeki"), "", "small", "3515")
    assert factory.formal == "PT Surya Kencana Tekstil Tbk"
    rng = random.Random(3)
    assert employers._abbreviated(shop, list(shop.words), rng) == ["RM", "Sumber", "Rejeki"]
    shortened = {
        " ".join(employers._abbreviated(factory, list(factory.words), random.Random(i)))
        for i in range(20)
    }
    assert shortened == {"SKT", "Surya Kencana"}
    for i in range(20):
        typo = employers._typo(["Surya", "Kencana"], random.Random(i))
        assert typo != ["Surya", "Kencana"]
        assert sum(a != b for a, b in zip(typo, ["Surya", "Kencana"], strict=True)) == 1
    jobs = employers.Jobs(0, population.regency_names())
    jobs.employers.append(factory)
    typed = {jobs.typed(len(jobs.employers) - 1) for _ in range(400)}
    lowered = {text.lower() for text in typed}
    assert "pt surya kencana tekstil" in lowered
    assert "surya kencana tekstil" in lowered  # legal form dropped
    assert any("cabang sidoarjo" in text for text in lowered)  # a branch added
    assert any(text.startswith("pt. ") for text in lowered)


def test_a_reviewer_can_link_a_pair_only_on_evidence_a_namesake_lacks(dataset: EvalSet) -> None:
    by_key = _by_key(dataset)
    registrant = next(p for p in dataset.registrants if p.nik[12:] == "0001")
    head = registrant.nik[:12]

    def report(nik: str, phone: str = "", company: str = "") -> EvalReport:
        return EvalReport(
            nik=nik,
            full_name=registrant.full_name,
            birth_date=registrant.birth_date,
            gender=registrant.gender,
            regency_code=registrant.regency_code,
            phone=phone,
            truth_key=registrant.key,
            label="nik_digit_typo",
            company=company,
        )

    def evidence(r: EvalReport) -> str:
        return reviewable.evidence(r, by_key[registrant.key], dataset.employers)

    # The next serial: what a namesake born that day in that district has.
    assert reviewable.neighbour_like(f"{head}0002", registrant.nik)
    assert evidence(report(f"{head}0002")) == reviewable.NONE
    # A serial no same-day neighbour has, the KK, the phone: a reviewer can tell.
    assert evidence(report(f"{head}0101")) == reviewable.NIK
    assert evidence(report(registrant.kk)) == reviewable.KK
    assert evidence(report(f"{head}0002", phone=registrant.phone)) == reviewable.PHONE
    # A digit off in the date part: nobody born that day has it.
    day = registrant.nik[6:8]
    other_day = f"{(int(day) % 28) + 1:02d}" if registrant.gender == "L" else day
    if other_day != day:
        assert evidence(report(registrant.nik[:6] + other_day + registrant.nik[8:])) == "nik"


def test_every_positive_gets_its_evidence_and_most_are_reviewer_linkable(
    dataset: EvalSet,
) -> None:
    kinds = reviewable.evidence_by_report(dataset)
    positives = [i for i, r in enumerate(dataset.reports) if r.truth_key is not None]
    assert sorted(kinds) == positives
    for index, kind in kinds.items():
        report = dataset.reports[index]
        if report.label == "exact":
            assert kind == reviewable.NIK
        if report.label == "kk_as_nik":
            assert kind == reviewable.KK
    share_none = sum(1 for kind in kinds.values() if kind == reviewable.NONE) / len(kinds)
    assert 0 < share_none < 0.05
