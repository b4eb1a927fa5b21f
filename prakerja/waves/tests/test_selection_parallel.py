"""The parallel plan of the selection (``SELECTION_CONNECTIONS`` ≥ 2 on PostgreSQL).

The plan's parts commit on connections of their own, so these tests are transactional and
PostgreSQL-only (skipped with the reason on SQLite): the same rows and hashes as the single
statement, nothing left behind by a failure, the KK cap on any population. The regions are
reloaded after the module, as in the other transactional tests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.regions.models import Province, Regency
from prakerja.registry.models import Programme
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import selection_parallel as selection
from prakerja.waves.models import SelectionResult, SelectionRun, Wave, WaveSettings
from prakerja.waves.services import selection_run_create, selection_run_execute
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

REGENCIES = {
    "3578": "KOTA SURABAYA",
    "3573": "KOTA MALANG",
    "3515": "KABUPATEN SIDOARJO",
    "3510": "KABUPATEN BANYUWANGI",  # no quota in these waves
}
CATEGORIES = ["laid_off", "furloughed", "migrant_worker", "laid_off_pre_covid", "job_seeker"]
COLUMNS = (
    "registration_id",
    "regency_id",
    "priority",
    "lottery",
    "rank_in_regency",
    "selected",
    "reserved",
    "reported_by_disnaker",
    "reason_code",
)


@pytest.fixture(scope="module")
def regions_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load(force=True)


def _programme() -> Programme:
    Province.objects.get_or_create(code="35", defaults={"name": "JAWA TIMUR"})
    for code, name in REGENCIES.items():
        Regency.objects.get_or_create(code=code, defaults={"province_id": "35", "name": name})
    return registry_seed_load().programme


def _population(size: int, seed: int) -> list[Applicant]:
    """Applicants in families of one to three (a third without a KK), mixed categories."""
    rng = random.Random(seed)
    people: list[Applicant] = []
    family = 0
    while len(people) < size:
        family += 1
        kk = f"{family:x}" if rng.random() < 0.7 else ""
        for _ in range(rng.choice([1, 1, 2, 3]) if kk else 1):
            people.append(
                Applicant(
                    regency=rng.choice(list(REGENCIES)),
                    category=rng.choice(CATEGORIES),
                    reported=rng.random() < 0.3,
                    disability=rng.random() < 0.05,
                    kk=kk,
                    status="submitted" if rng.random() < 0.95 else "ineligible",
                )
            )
    return people[:size]


def _run(wave: Wave, *, seed: str) -> SelectionRun:
    run = selection_run_create(actor=make_user(role=Role.MANAGER), wave=wave, seed=seed)
    return selection_run_execute(run_id=run.pk)


def _rows(run: SelectionRun) -> list[tuple[Any, ...]]:
    return list(
        SelectionResult.objects.filter(run=run).order_by("registration").values_list(*COLUMNS)
    )


def _stage_exists(run: SelectionRun) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [selection.stage_name(run.pk)])
        return bool(cursor.fetchone()[0])


def test_the_partitions_are_split_whole_into_ranges_of_about_equal_rows() -> None:
    counts = [(-1, 5), (7000, 40), (7001, 300), (7146, 10), (7147, 400), (7160, 245)]
    ranges = selection.part_ranges(counts, 2)
    assert ranges == [(None, 7147), (7147, None)]
    assert selection.part_ranges(counts, 3) == [(None, 7146), (7146, 7160), (7160, None)]
    # Fewer partitions than groups: no empty range.
    assert selection.part_ranges([(9, 4)], 2) == [(None, None)]
    assert selection.part_ranges([], 2) == [(None, None)]


@pytest.mark.parametrize("connections", [2, 3])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("regions_restored")
def test_the_parallel_plan_stores_the_same_rows_and_hashes_as_the_single_statement(
    settings: Any, connections: int
) -> None:
    programme = _programme()
    WaveSettings.objects.update_or_create(
        programme=programme, defaults={"reserved_share": Decimal("0.5"), "kk_cap": 1}
    )
    registrations = registrations_make(programme, _population(600, seed=connections))
    wave = closed_wave(programme, {"3578": 40, "3573": 25, "3515": 30}, registrations)

    settings.SELECTION_CONNECTIONS = 1
    single = _run(wave, seed="sama")
    settings.SELECTION_CONNECTIONS = connections
    parallel = _run(wave, seed="sama")

    assert single.status == parallel.status == SelectionRun.Status.READY
    assert (parallel.input_hash, parallel.result_hash) == (single.input_hash, single.result_hash)
    single_rows, parallel_rows = _rows(single), _rows(parallel)
    assert len(parallel_rows) == len(registrations)
    assert parallel_rows == single_rows
    reasons = Counter(row[-1] for row in parallel_rows)
    assert {"kk_cap", "quota_full", "selected_priority", "selected_reserved"} <= set(reasons)
    assert not _stage_exists(parallel)


@pytest.mark.parametrize("where", ["after_a_part_committed", "before_the_parts", "at_the_end"])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("regions_restored")
def test_a_failure_anywhere_in_the_parallel_plan_leaves_nothing_behind(
    settings: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    settings.SELECTION_CONNECTIONS = 2
    programme = _programme()
    registrations = registrations_make(programme, _population(200, seed=7))
    wave = closed_wave(programme, {"3578": 20, "3573": 20, "3515": 20}, registrations)
    run = selection_run_create(actor=make_user(role=Role.MANAGER), wave=wave, seed="gagal")

    if where == "after_a_part_committed":
        # The second part stores and commits its rows, then fails.
        part_store = selection.part_store

        def failing_part(**kwargs: Any) -> list[tuple[Any, ...]]:
            rows = part_store(**kwargs)
            if kwargs["low"] is not None:
                raise RuntimeError("bagian kedua gagal")
            return rows

        monkeypatch.setattr(selection, "part_store", failing_part)
    elif where == "before_the_parts":
        # The stage exists, no part has started.
        def failing_split(*args: Any) -> None:
            raise RuntimeError("pembagian gagal")

        monkeypatch.setattr(selection, "part_ranges", failing_split)
    else:
        # Every part committed; the run cannot be marked ready.
        from prakerja.waves.services import runs as services

        audit_as = services.audit_as

        def failing_audit(instance: Any, **kwargs: Any) -> None:
            if kwargs.get("reason") == "uji coba seleksi selesai":
                raise RuntimeError("audit gagal")
            audit_as(instance, **kwargs)

        monkeypatch.setattr(services, "audit_as", failing_audit)

    with pytest.raises(RuntimeError):
        selection_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.FAILED
    assert run.error.startswith("RuntimeError: ")
    assert run.result_hash == ""
    assert not SelectionResult.objects.filter(run=run).exists()
    assert not _stage_exists(run)
    # Nothing else was left running on its own connection.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s",
            [f"prakerja selection {run.pk}"],
        )
        assert cursor.fetchone()[0] == 0


applicants = st.builds(
    Applicant,
    regency=st.sampled_from(list(REGENCIES)),
    category=st.sampled_from(CATEGORIES),
    reported=st.booleans(),
    disability=st.just(False),
    kk=st.sampled_from(["", "", "a1", "a2", "a3", "b1", "b2"]),
    status=st.sampled_from(["submitted"] * 6 + ["ineligible"]),
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("regions_restored")
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    population=st.lists(applicants, min_size=0, max_size=40),
    quotas=st.lists(st.integers(min_value=0, max_value=8), min_size=3, max_size=3),
    kk_cap=st.integers(min_value=1, max_value=2),
    seed=st.text(alphabet="abcdef0123456789", min_size=1, max_size=12),
)
def test_the_kk_cap_holds_in_the_parallel_plan_for_any_population(
    settings: Any,
    population: list[Applicant],
    quotas: list[int],
    kk_cap: int,
    seed: str,
) -> None:
    settings.SELECTION_CONNECTIONS = 2
    programme = _programme()
    WaveSettings.objects.update_or_create(programme=programme, defaults={"kk_cap": kk_cap})
    registrations = registrations_make(programme, population)
    wave = closed_wave(
        programme, dict(zip(list(REGENCIES)[:3], quotas, strict=True)), registrations
    )
    run = _run(wave, seed=seed)
    assert run.status == SelectionRun.Status.READY
    kk_of = {r.pk: r.kk_index for r in registrations}
    rows = list(SelectionResult.objects.filter(run=run))
    assert {r.registration_id for r in rows} == set(kk_of)
    # In the running (ranked) per card: at most kk_cap; so selected too.
    in_running = Counter(kk_of[r.registration_id] for r in rows if r.rank_in_regency is not None)
    selected = Counter(kk_of[r.registration_id] for r in rows if r.selected)
    for kk, count in in_running.items():
        if kk:
            assert count <= kk_cap
            assert selected[kk] <= kk_cap
    # A member is capped only when kk_cap members of the card are still in the running.
    for r in rows:
        if r.reason_code == "kk_cap":
            assert in_running[kk_of[r.registration_id]] == kk_cap
