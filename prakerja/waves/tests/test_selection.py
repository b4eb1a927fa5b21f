"""The selection SQL: invariants on generated populations, reproducibility, the lottery.

Run on SQLite by default and on PostgreSQL with ``DATABASE_URL``: the same tests, the same
expected numbers (the lottery is integer arithmetic both engines evaluate identically).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.registry.models import Programme, Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import selection
from prakerja.waves.models import SelectionResult, SelectionRun, Wave, WaveEntry, WaveSettings
from prakerja.waves.services import selection_run_create, selection_run_execute
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

REGENCIES = ["3578", "3573", "3515"]
CATEGORIES = ["laid_off", "furloughed", "migrant_worker", "laid_off_pre_covid", "job_seeker"]


@pytest.fixture
def programme(db: None) -> Programme:
    return registry_seed_load().programme


def _run(wave: Wave, *, seed: str = "seed-1") -> SelectionRun:
    manager = make_user(role=Role.MANAGER)
    run = selection_run_create(actor=manager, wave=wave, seed=seed)
    return selection_run_execute(run_id=run.pk)


def _results(run: SelectionRun) -> list[SelectionResult]:
    return list(SelectionResult.objects.filter(run=run))


def _settings(programme: Programme, **fields: Any) -> WaveSettings:
    row, _ = WaveSettings.objects.update_or_create(programme=programme, defaults=fields)
    return row


applicants = st.builds(
    Applicant,
    regency=st.sampled_from([*REGENCIES, "3510"]),  # 3510: a regency without quota
    category=st.sampled_from(CATEGORIES),
    reported=st.booleans(),
    disability=st.booleans(),
    kk=st.sampled_from(["", "", "a1", "a2", "a3", "b1"]),
    status=st.sampled_from(["submitted"] * 6 + ["ineligible"]),
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    population=st.lists(applicants, min_size=0, max_size=40),
    quotas=st.lists(st.integers(min_value=0, max_value=8), min_size=3, max_size=3),
    share=st.sampled_from([None, Decimal("0.5"), Decimal("0.8"), Decimal("1")]),
    kk_cap=st.integers(min_value=1, max_value=2),
    seed=st.text(alphabet="abcdef0123456789", min_size=1, max_size=12),
)
def test_invariants_hold_for_any_population(
    programme: Programme,
    population: list[Applicant],
    quotas: list[int],
    share: Decimal | None,
    kk_cap: int,
    seed: str,
) -> None:
    _settings(programme, reserved_share=share, kk_cap=kk_cap)
    registrations = registrations_make(programme, population)
    wave = closed_wave(programme, dict(zip(REGENCIES, quotas, strict=True)), registrations)
    run = _run(wave, seed=seed)
    assert run.status == SelectionRun.Status.READY
    rows = {r.registration_id: r for r in _results(run)}
    by_id = {r.pk: r for r in registrations}
    assert set(rows) == set(by_id)  # every joined applicant has exactly one row

    quota_of = dict(zip(REGENCIES, quotas, strict=True))
    selected = [r for r in rows.values() if r.selected]
    # No regency exceeds its quota.
    per_regency = Counter(r.regency_id for r in selected)
    for code, count in per_regency.items():
        assert code is not None and count <= quota_of[code]
    # Nobody excluded is selected; exclusions carry their reason.
    for r in rows.values():
        registration = by_id[r.registration_id]
        if registration.status != "submitted":
            assert r.reason_code == "ineligible" and not r.selected
        elif registration.domicile_regency_id not in quota_of:
            assert r.reason_code == "no_quota" and not r.selected
    # Nobody over the KK cap is selected: no card has more than kk_cap selected members.
    per_kk = Counter(by_id[r.registration_id].kk_index for r in selected)
    for kk, count in per_kk.items():
        if kk:
            assert count <= kk_cap
    # A higher-priority applicant is never left out while a lower-priority one of the same
    # regency is selected, except when the latter took a reserved seat.
    ranked: dict[str | None, list[SelectionResult]] = defaultdict(list)
    for r in rows.values():
        if r.rank_in_regency is not None:
            ranked[r.regency_id].append(r)
    for regency_rows in ranked.values():
        left_out = [r for r in regency_rows if not r.selected]
        for winner in regency_rows:
            if not winner.selected or winner.reserved:
                continue
            for loser in left_out:
                assert (loser.priority, -loser.lottery) <= (winner.priority, -winner.lottery)
        # Ranks are 1..n in priority, then lottery order.
        ordered = sorted(regency_rows, key=lambda r: (-r.priority, r.lottery, r.registration_id))
        assert [r.rank_in_regency for r in ordered] == list(range(1, len(ordered) + 1))
    # Reserved seats: only reported workers, at most floor(quota × share) per regency.
    permille = selection.reserved_permille(share)
    reserved = Counter(r.regency_id for r in selected if r.reserved)
    for code, count in reserved.items():
        assert code is not None and count <= quota_of[code] * permille // 1000
    for r in selected:
        if r.reserved:
            assert by_id[r.registration_id].reported_by_disnaker
    # The same inputs and seed give the same result hash.
    again = _run(wave, seed=seed)
    assert (again.input_hash, again.result_hash) == (run.input_hash, run.result_hash)


@pytest.mark.django_db
def test_the_reserved_share_seats_reported_workers_before_higher_priority_applicants(
    programme: Programme,
) -> None:
    # Weights that make reported workers *lower* priority than laid-off applicants, so only
    # the reserved share can bring them in.
    _settings(
        programme,
        reserved_share=Decimal("0.5"),
        weight_reported_by_disnaker=0,
        weight_laid_off=50,
        weight_furloughed=0,
    )
    laid_off = registrations_make(programme, [Applicant(category="laid_off")] * 6)
    reported = registrations_make(programme, [Applicant(category="furloughed", reported=True)] * 6)
    wave = closed_wave(programme, {"3578": 4}, [*laid_off, *reported])
    rows = {r.registration_id: r for r in _results(_run(wave))}
    reported_selected = [rows[r.pk] for r in reported if rows[r.pk].selected]
    laid_off_selected = [rows[r.pk] for r in laid_off if rows[r.pk].selected]
    assert len(reported_selected) == 2  # floor(4 × 0.5)
    assert all(r.reserved and r.reason_code == "selected_reserved" for r in reported_selected)
    assert len(laid_off_selected) == 2
    assert all(r.reason_code == "selected_priority" for r in laid_off_selected)
    # Without the share the reported workers (priority 0) lose to the laid-off (50).
    _settings(programme, reserved_share=None)
    rows = {r.registration_id: r for r in _results(_run(wave, seed="other"))}
    assert not any(rows[r.pk].selected for r in reported)


@pytest.mark.django_db
def test_unused_reserved_seats_go_to_everyone_else(programme: Programme) -> None:
    _settings(programme, reserved_share=Decimal("0.8"))
    regs = registrations_make(programme, [Applicant(reported=True)] + [Applicant()] * 9)
    wave = closed_wave(programme, {"3578": 5}, regs)
    rows = _results(_run(wave))
    assert sum(r.selected for r in rows) == 5
    assert sum(r.reserved for r in rows) == 1


@pytest.mark.django_db
def test_priority_follows_the_weights(programme: Programme) -> None:
    _settings(programme, reserved_share=None)
    job_seeker, laid_off, reported, disabled = registrations_make(
        programme,
        [
            Applicant(category="job_seeker"),
            Applicant(category="laid_off"),
            Applicant(category="job_seeker", reported=True),
            Applicant(category="job_seeker", disability=True),
        ],
    )
    wave = closed_wave(programme, {"3578": 1}, [job_seeker, laid_off, reported, disabled])
    rows = {r.registration_id: r for r in _results(_run(wave))}
    assert rows[job_seeker.pk].priority == 0
    assert rows[laid_off.pk].priority == 40
    assert rows[reported.pk].priority == 100
    assert rows[disabled.pk].priority == 20
    assert rows[reported.pk].selected and rows[reported.pk].rank_in_regency == 1
    assert rows[job_seeker.pk].reason_code == "quota_full"


@pytest.mark.django_db
def test_the_registration_test_score_changes_nothing(programme: Programme) -> None:
    regs = registrations_make(
        programme, [Applicant(test_score=score % 100, kk=str(score % 7)) for score in range(30)]
    )
    wave = closed_wave(programme, {"3578": 7}, regs)
    before = _run(wave, seed="fixed")
    ranks_before = {r.registration_id: (r.rank_in_regency, r.selected) for r in _results(before)}
    for registration in regs:
        Registration.objects.filter(pk=registration.pk).update(
            test_score=100 - (registration.test_score or 0)
        )
    after = _run(wave, seed="fixed")
    assert {r.registration_id: (r.rank_in_regency, r.selected) for r in _results(after)} == (
        ranks_before
    )
    assert (after.input_hash, after.result_hash) == (before.input_hash, before.result_hash)


@pytest.mark.django_db
def test_a_different_seed_draws_a_different_lottery(programme: Programme) -> None:
    regs = registrations_make(programme, [Applicant()] * 20)
    wave = closed_wave(programme, {"3578": 5}, regs)
    first = _run(wave, seed="one")
    second = _run(wave, seed="two")
    assert first.input_hash != second.input_hash  # the seed is a parameter
    assert first.result_hash != second.result_hash


@pytest.mark.django_db
def test_a_change_in_the_input_changes_the_input_hash(programme: Programme) -> None:
    regs = registrations_make(programme, [Applicant()] * 5)
    wave = closed_wave(programme, {"3578": 2}, regs)
    first = _run(wave, seed="same")
    Registration.objects.filter(pk=regs[0].pk).update(employment_status="furloughed")
    second = _run(wave, seed="same")
    assert first.input_hash != second.input_hash


@pytest.mark.django_db
def test_the_sql_lottery_equals_its_python_twin(programme: Programme) -> None:
    """Both engines compute ``lottery_py`` exactly (run this file on each engine)."""
    regs = registrations_make(programme, [Applicant()] * 25)
    wave = closed_wave(programme, {"3578": 25}, regs)
    run = _run(wave, seed="abc-123")
    for row in _results(run):
        assert row.lottery == selection.lottery_py(row.registration_id, "abc-123")
    # And at ids far beyond any real table: no engine overflows.
    big = 2**53 + 12345
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selection.lottery_sql(str(big), 'abc-123')}", [])
        assert cursor.fetchone()[0] == selection.lottery_py(big, "abc-123")


def test_the_lottery_reference_values_are_fixed() -> None:
    """Anyone can recompute a published draw from the seed: these values never change."""
    assert selection.lottery_py(1, "2020-04-17") == selection.lottery_py(1, "2020-04-17")
    draws = [selection.lottery_py(i, "2020-04-17") for i in range(1, 2001)]
    assert len(set(draws)) == 2000
    # Roughly uniform: each quarter of the range gets a fair share of 2,000 draws.
    top = selection.P * selection.P
    quarters = Counter(min(3, 4 * d // top) for d in draws)
    assert all(400 < quarters[q] < 600 for q in range(4))


@pytest.mark.django_db
def test_nobody_is_selected_twice_across_waves(programme: Programme) -> None:
    regs = registrations_make(programme, [Applicant()] * 3)
    first = closed_wave(programme, {"3578": 3}, regs)
    WaveEntry.objects.filter(wave=first).update(status=WaveEntry.Status.SELECTED)
    second = closed_wave(programme, {"3578": 3}, regs)
    rows = _results(_run(second))
    assert {r.reason_code for r in rows} == {"already_selected"}
    assert not any(r.selected for r in rows)


@pytest.mark.django_db
def test_the_kk_cap_keeps_the_best_placed_member(programme: Programme) -> None:
    _settings(programme, kk_cap=1)
    low, high = registrations_make(
        programme,
        [Applicant(category="job_seeker", kk="k"), Applicant(category="laid_off", kk="k")],
    )
    wave = closed_wave(programme, {"3578": 2}, [low, high])
    rows = {r.registration_id: r for r in _results(_run(wave))}
    assert rows[high.pk].selected
    assert rows[low.pk].reason_code == "kk_cap" and rows[low.pk].rank_in_regency is None


@pytest.mark.django_db
def test_running_the_job_twice_changes_nothing(programme: Programme) -> None:
    regs = registrations_make(programme, [Applicant()] * 6)
    wave = closed_wave(programme, {"3578": 2}, regs)
    run = _run(wave)
    again = selection_run_execute(run_id=run.pk)
    assert again.result_hash == run.result_hash
    assert SelectionResult.objects.filter(run=run).count() == 6


@pytest.mark.django_db
def test_an_interrupted_run_is_recomputed_from_scratch(programme: Programme) -> None:
    regs = registrations_make(programme, [Applicant()] * 6)
    wave = closed_wave(programme, {"3578": 2}, regs)
    run = _run(wave)
    expected = run.result_hash
    # As if the worker died mid-way: status running, a stray partial row.
    SelectionRun.objects.filter(pk=run.pk).update(status="running", result_hash="")
    SelectionResult.objects.filter(run=run).exclude(registration=regs[0]).delete()
    again = selection_run_execute(run_id=run.pk)
    assert again.status == SelectionRun.Status.READY
    assert again.result_hash == expected
    assert SelectionResult.objects.filter(run=run).count() == 6
