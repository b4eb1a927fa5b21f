"""Waves, quotas, joining, closing and the life of a selection run, through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.signals import selection_published
from prakerja.regions.models import Regency
from prakerja.registry.models import Programme, Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.registration import registration_start
from prakerja.waves import selectors, services
from prakerja.waves.models import (
    RegencyQuota,
    SelectionResult,
    SelectionRun,
    Wave,
    WaveEntry,
    WaveSettings,
)
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def programme(db: None) -> Programme:
    return registry_seed_load().programme


@pytest.fixture
def second_manager(db: None) -> User:
    return make_user(role=Role.MANAGER)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _times(days_from_now: int = 1, length: int = 7) -> tuple[datetime, datetime]:
    start = timezone.now() + timedelta(days=days_from_now)
    return start, start + timedelta(days=length)


def _wave(manager: User, programme: Programme, **kwargs: Any) -> Wave:
    opens_at, closes_at = _times(kwargs.pop("days_from_now", -1))
    defaults: dict[str, Any] = {
        "name": "Gelombang uji",
        "opens_at": opens_at,
        "closes_at": closes_at,
        "total_quota": 10,
        "regency_quotas": {"3578": 6, "3573": 4},
    }
    return services.wave_create(actor=manager, programme=programme, **{**defaults, **kwargs})


# --- Waves and quotas -------------------------------------------------------------------


def test_a_manager_creates_a_numbered_wave_with_its_quotas(
    manager: User, programme: Programme
) -> None:
    wave = _wave(manager, programme)
    assert (wave.number, wave.status, wave.total_quota) == (1, "draft", 10)
    assert dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota")) == {
        "3578": 6,
        "3573": 4,
    }
    assert wave.history.first().history_user == manager  # audited
    assert RegencyQuota.objects.get(wave=wave, regency_id="3578").history.count() == 1


def test_quotas_that_do_not_add_up_to_the_total_are_refused(
    manager: User, programme: Programme
) -> None:
    with pytest.raises(ApplicationError) as error:
        _wave(manager, programme, total_quota=543_000, regency_quotas={"3578": 500_000})
    assert error.value.code == "waves.quota_sum_mismatch"
    assert str(error.value.message) == (
        "Jumlah kuota kabupaten/kota (500.000) tidak sama dengan kuota total gelombang (543.000)."
    )
    assert not Wave.objects.exists()  # nothing half-written


def test_a_negative_quota_or_an_unknown_regency_is_refused(
    manager: User, programme: Programme
) -> None:
    with pytest.raises(ApplicationError) as error:
        _wave(manager, programme, regency_quotas={"3578": 11, "3573": -1})
    assert error.value.code == "waves.quota_invalid"
    with pytest.raises(ApplicationError) as error:
        _wave(manager, programme, regency_quotas={"3578": 6, "9999": 4})
    assert error.value.code == "waves.quota_regency_unknown"
    assert str(error.value.message) == "Kode kabupaten/kota tidak dikenal: 9999."


def test_overlapping_waves_are_refused(manager: User, programme: Programme) -> None:
    first = _wave(manager, programme)
    with pytest.raises(ApplicationError) as error:
        services.wave_create(
            actor=manager,
            programme=programme,
            name="Gelombang bertumpuk",
            opens_at=first.closes_at - timedelta(hours=1),
            closes_at=first.closes_at + timedelta(days=7),
            total_quota=10,
        )
    assert error.value.code == "waves.overlap"
    assert str(error.value.message).startswith("Jadwal bertumpuk dengan Gelombang uji (")
    # Back to back is fine.
    second = services.wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 2",
        opens_at=first.closes_at,
        closes_at=first.closes_at + timedelta(days=7),
        total_quota=10,
    )
    assert second.number == 2


def test_a_wave_must_close_after_it_opens(manager: User, programme: Programme) -> None:
    opens_at, _ = _times()
    with pytest.raises(ApplicationError) as error:
        _wave(manager, programme, opens_at=opens_at, closes_at=opens_at)
    assert error.value.code == "waves.closes_before_opening"


def test_only_a_wave_manager_creates_waves(
    applicant: User, viewer: User, programme: Programme
) -> None:
    for actor in (applicant, viewer):
        with pytest.raises(PermissionDenied):
            _wave(actor, programme)


@given(
    total=st.integers(min_value=0, max_value=10_000_000),
    weights=st.dictionaries(
        st.from_regex(r"35[0-9]{2}", fullmatch=True), st.integers(0, 10**6), max_size=38
    ),
)
def test_largest_remainder_parts_always_sum_to_the_total(
    total: int, weights: dict[str, int]
) -> None:
    parts = services.quotas_largest_remainder(total=total, weights=weights)
    if weights:
        assert sum(parts.values()) == total
        whole = sum(weights.values())
        for code, part in parts.items():
            exact = total * weights[code] / whole if whole else total / len(weights)
            assert abs(part - exact) < 1  # never more than one seat from the exact share


def test_largest_remainder_gives_leftover_seats_to_the_largest_remainders() -> None:
    assert services.quotas_largest_remainder(total=10, weights={"a": 1, "b": 1, "c": 1}) == {
        "a": 4,
        "b": 3,
        "c": 3,
    }
    assert services.quotas_largest_remainder(total=7, weights={"a": 0, "b": 0}) == {
        "a": 4,
        "b": 3,
    }


@pytest.mark.django_db
def test_allocation_follows_registrations_and_reported_workers(
    manager: User, programme: Programme
) -> None:
    registrations_make(
        programme,
        [Applicant(regency="3578")] * 3
        + [Applicant(regency="3578", reported=True)]  # counts twice
        + [Applicant(regency="3573")] * 5
        + [Applicant(regency="3573", status="ineligible")] * 9,  # not counted
    )
    wave = _wave(manager, programme, total_quota=1000, regency_quotas=None)
    quotas = services.wave_quotas_allocate(actor=manager, wave=wave)
    assert len(quotas) == Regency.objects.filter(province_id="35").count() == 38
    assert sum(quotas.values()) == 1000
    assert quotas["3578"] == 500 and quotas["3573"] == 500
    assert set(RegencyQuota.objects.filter(wave=wave).values_list("method", flat=True)) == {
        "allocated"
    }


def test_a_wave_opens_only_with_quotas_that_add_up(manager: User, programme: Programme) -> None:
    wave = _wave(manager, programme, regency_quotas=None)
    with pytest.raises(ApplicationError) as error:
        services.wave_open(actor=manager, wave=wave)
    assert error.value.code == "waves.quota_missing"
    services.wave_quotas_set(actor=manager, wave=wave, regency_quotas={"3578": 10})
    assert services.wave_open(actor=manager, wave=wave).status == "open"


# --- Joining and closing ----------------------------------------------------------------


def test_a_submitted_applicant_joins_the_open_wave_once(
    manager: User, programme: Programme
) -> None:
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    (registration,) = registrations_make(programme, [Applicant()])
    user = registration.user
    entry = services.wave_join(actor=user, wave=wave, registration=registration)
    again = services.wave_join(actor=user, wave=wave, registration=registration)
    assert entry.pk == again.pk and entry.status == "joined"
    result = selectors.applicant_result(registration=registration)
    assert result.result == "joined" and result.next_steps == ["wait_announcement"]


def test_someone_else_cannot_join_an_applicant(
    manager: User, programme: Programme, applicant: User
) -> None:
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    (registration,) = registrations_make(programme, [Applicant()])
    with pytest.raises(PermissionDenied):
        services.wave_join(actor=applicant, wave=wave, registration=registration)


def test_an_incomplete_or_ineligible_registration_cannot_join(
    manager: User, programme: Programme
) -> None:
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    user = make_user(role=Role.APPLICANT)
    draft = registration_start(actor=user, user=user)
    with pytest.raises(ApplicationError) as error:
        services.wave_join(actor=user, wave=wave, registration=draft)
    assert error.value.code == "waves.incomplete"
    assert str(error.value.message).startswith(
        "Pendaftaran belum lengkap. Lengkapi dulu: Data diri"
    )
    (ineligible,) = registrations_make(programme, [Applicant(status="ineligible")])
    with pytest.raises(ApplicationError) as error:
        services.wave_join(actor=ineligible.user, wave=wave, registration=ineligible)
    assert error.value.code == "waves.ineligible"


def test_a_closed_wave_takes_nobody(manager: User, programme: Programme) -> None:
    wave = closed_wave(programme, {"3578": 1})
    (registration,) = registrations_make(programme, [Applicant()])
    with pytest.raises(ApplicationError) as error:
        services.wave_join(actor=registration.user, wave=wave, registration=registration)
    assert error.value.code == "waves.not_open"


def test_closing_puts_incomplete_applications_on_the_waiting_list(
    manager: User, programme: Programme
) -> None:
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    user = make_user(role=Role.APPLICANT)
    draft = registration_start(actor=user, user=user)
    services.wave_close(actor=manager, wave=wave)
    entry = WaveEntry.objects.get(registration=draft)
    assert entry.status == "waiting"
    assert entry.missing_items == [
        "identity",
        "contact",
        "domicile",
        "work",
        "education_disability",
        "consent",
        "test",
    ]
    result = selectors.applicant_result(registration=draft)
    assert result.result == "waiting" and result.missing_items == entry.missing_items
    # The next wave takes the waiting list over.
    opens_at = wave.closes_at + timedelta(days=1)
    second = services.wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 2",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        total_quota=10,
    )
    moved = WaveEntry.objects.get(wave=second, registration=draft)
    assert (moved.status, moved.carried_from_id) == ("waiting", entry.pk)
    assert WaveEntry.objects.get(pk=entry.pk).status == "carried_over"


def test_automatic_mode_joins_every_submitted_applicant(
    manager: User, programme: Programme
) -> None:
    WaveSettings.objects.create(programme=programme, join_mode="automatic")
    registrations_make(programme, [Applicant(), Applicant(), Applicant(status="ineligible")])
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    assert WaveEntry.objects.filter(wave=wave, status="joined").count() == 2
    registrations_make(programme, [Applicant()])  # submitted while the wave is open
    services.wave_close(actor=manager, wave=wave)
    assert WaveEntry.objects.filter(wave=wave, status="joined").count() == 3


# --- Selection runs ---------------------------------------------------------------------


def _closed_with_applicants(programme: Programme, n: int = 6, quota: int = 2) -> Wave:
    regs = registrations_make(programme, [Applicant() for _ in range(n)])
    return closed_wave(programme, {"3578": quota}, regs)


def test_a_dry_run_publishes_its_seed_then_ranks_in_the_background(
    manager: User,
    programme: Programme,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    wave = _closed_with_applicants(programme)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.selection_run_create(actor=manager, wave=wave, seed="jatim-2020")
        # The seed is stored and published before any ranking happens.
        assert run.seed == "jatim-2020" and run.seed_published_at is not None
        assert run.status == "queued" and not SelectionResult.objects.exists()
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.progress) == ("ready", 100)
    assert len(run.input_hash) == len(run.result_hash) == 64
    assert run.parameters["weights"]["reported_by_disnaker"] == 100
    assert run.parameters["quotas"] == {"3578": 2}
    outcome = selectors.selection_outcome_per_regency(run=run)
    assert [(o.regency_code, o.quota, o.eligible, o.selected) for o in outcome] == [
        ("3578", 2, 6, 2)
    ]
    # A dry run is invisible to applicants.
    registration = Registration.objects.filter(programme=programme).first()
    assert registration is not None
    assert selectors.applicant_result(registration=registration).result == "joined"


def test_a_random_seed_is_made_when_none_is_given(manager: User, programme: Programme) -> None:
    run = services.selection_run_create(actor=manager, wave=_closed_with_applicants(programme))
    assert len(run.seed) == 32


def test_a_bad_seed_is_refused(manager: User, programme: Programme) -> None:
    with pytest.raises(ApplicationError) as error:
        services.selection_run_create(
            actor=manager, wave=_closed_with_applicants(programme), seed="no spaces!"
        )
    assert error.value.code == "selection.seed_invalid"


def test_a_run_of_a_wave_still_open_is_refused(manager: User, programme: Programme) -> None:
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    with pytest.raises(ApplicationError) as error:
        services.selection_run_create(actor=manager, wave=wave)
    assert error.value.code == "selection.wave_not_closed"


def test_a_second_run_while_one_is_in_progress_is_refused(
    manager: User, programme: Programme
) -> None:
    wave = _closed_with_applicants(programme)
    services.selection_run_create(actor=manager, wave=wave)
    with pytest.raises(ApplicationError) as error:
        services.selection_run_create(actor=manager, wave=wave)
    assert error.value.code == "selection.run_in_progress"
    assert str(error.value.message) == (
        "Proses seleksi untuk gelombang ini sedang berjalan. Tunggu hingga selesai."
    )
    assert SelectionRun.objects.filter(wave=wave).count() == 1


def test_approval_by_the_creator_is_refused(manager: User, programme: Programme) -> None:
    run = services.selection_run_create(actor=manager, wave=_closed_with_applicants(programme))
    run = services.selection_run_execute(run_id=run.pk)
    with pytest.raises(ApplicationError) as error:
        services.selection_run_approve(actor=manager, run=run)
    assert error.value.code == "selection.same_approver"
    assert str(error.value.message) == (
        "Hasil seleksi harus disetujui oleh pengelola program lain, bukan pembuatnya."
    )


def test_a_run_not_yet_ranked_cannot_be_approved(
    manager: User, second_manager: User, programme: Programme
) -> None:
    run = services.selection_run_create(actor=manager, wave=_closed_with_applicants(programme))
    with pytest.raises(ApplicationError) as error:
        services.selection_run_approve(actor=second_manager, run=run)
    assert error.value.code == "selection.not_ready"


def test_publishing_an_unapproved_run_is_refused(
    manager: User, second_manager: User, programme: Programme
) -> None:
    run = services.selection_run_create(actor=manager, wave=_closed_with_applicants(programme))
    run = services.selection_run_execute(run_id=run.pk)
    with pytest.raises(ApplicationError) as error:
        services.selection_run_publish(actor=second_manager, run=run)
    assert error.value.code == "selection.not_approved"
    assert str(error.value.message) == (
        "Hasil seleksi belum disetujui pengelola program kedua, sehingga belum dapat diumumkan."
    )
    assert WaveEntry.objects.filter(status="joined").count() == 6  # nothing changed


def test_approved_and_published_results_reach_entries_the_signal_and_the_next_wave(
    manager: User, second_manager: User, programme: Programme
) -> None:
    wave = _closed_with_applicants(programme, n=5, quota=2)
    run = services.selection_run_create(actor=manager, wave=wave, seed="s")
    run = services.selection_run_execute(run_id=run.pk)
    run = services.selection_run_approve(actor=second_manager, run=run)
    assert (run.status, run.approved_by) == ("approved", second_manager)
    received: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    selection_published.connect(listener)
    try:
        run = services.selection_run_publish(actor=second_manager, run=run)
    finally:
        selection_published.disconnect(listener)
    assert run.status == "published"
    assert Wave.objects.get(pk=wave.pk).status == "published"
    selected = sorted(
        SelectionResult.objects.filter(run=run, selected=True).values_list(
            "registration_id", flat=True
        )
    )
    assert len(selected) == 2
    assert received == [
        {"signal": selection_published, "run": run, "wave": wave, "registration_ids": selected}
    ]
    assert (
        sorted(
            WaveEntry.objects.filter(wave=wave, status="selected").values_list(
                "registration_id", flat=True
            )
        )
        == selected
    )
    assert WaveEntry.objects.filter(wave=wave, status="not_selected").count() == 3
    # Every step is audited: created, ready, approved, published.
    assert list(run.history.order_by("history_id").values_list("status", flat=True)) == [
        "queued",
        "ready",
        "approved",
        "published",
    ]
    # The applicants' own results.
    winner = Registration.objects.get(pk=selected[0])
    result = selectors.applicant_result(registration=winner)
    assert (result.result, result.regency_quota, result.category) == ("selected", 2, "laid_off")
    assert result.rank_in_regency in (1, 2) and result.next_steps == ["choose_training"]
    loser_entry = WaveEntry.objects.filter(wave=wave, status="not_selected").first()
    assert loser_entry is not None
    loser = selectors.applicant_result(registration=loser_entry.registration)
    assert (loser.result, loser.reason_code) == ("not_selected", "quota_full")
    assert loser.reason_label == "Kuota kabupaten/kota sudah terpenuhi"
    assert loser.next_steps == ["next_wave", "complaint"]
    # The next wave takes those not selected; the selected are never selected again.
    opens_at = timezone.now() + timedelta(days=1)
    second = services.wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 2",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        total_quota=5,
    )
    assert WaveEntry.objects.filter(wave=second, status="joined").count() == 3
    assert not WaveEntry.objects.filter(wave=second, registration_id__in=selected).exists()
    with pytest.raises(ApplicationError) as error:
        services.selection_run_publish(actor=second_manager, run=run)
    assert error.value.code == "selection.not_approved"


def test_a_new_dry_run_supersedes_the_previous_one(manager: User, programme: Programme) -> None:
    wave = _closed_with_applicants(programme)
    first = services.selection_run_execute(
        run_id=services.selection_run_create(actor=manager, wave=wave).pk
    )
    services.selection_run_create(actor=manager, wave=wave)
    first.refresh_from_db()
    assert first.status == "superseded"


def test_the_demo_wave_closes_on_friday_17_april_2020_at_midnight_wib() -> None:
    from prakerja.waves.demo import FIRST_WAVE_CLOSES_AT, PROVISIONAL_QUOTA

    assert datetime(2020, 4, 17, 23, 59, tzinfo=WIB) == FIRST_WAVE_CLOSES_AT
    assert FIRST_WAVE_CLOSES_AT.strftime("%A") == "Friday"
    assert PROVISIONAL_QUOTA == 543_000


@pytest.mark.django_db
def test_the_demo_wave_splits_543000_over_east_javas_38_regencies_once(
    programme: Programme,
) -> None:
    from django.core.management import call_command

    call_command("waves_demo_load")
    call_command("waves_demo_load")  # idempotent
    wave = Wave.objects.get(programme=programme)
    quotas = dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota"))
    assert len(quotas) == 38 and sum(quotas.values()) == 543_000
    assert timezone.localtime(wave.closes_at).strftime("%A %d %B %Y %H:%M %Z") == (
        "Friday 17 April 2020 23:59 WIB"
    )
