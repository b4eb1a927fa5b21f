"""Set-based writes of waves leave one history row per changed entry, with the acting user
and a reason, in a constant number of statements (``core.history``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.registry.models import Programme
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import services
from prakerja.waves.models import Wave, WaveEntry, WaveSettings
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

HISTORY_TABLE = WaveEntry.history.model._meta.db_table  # type: ignore[attr-defined]


@pytest.fixture
def programme(db: None) -> Programme:
    return registry_seed_load().programme


def _history_writes(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("INSERT") and HISTORY_TABLE in query["sql"]
    )


def _history(entries: Any, reason: str) -> list[tuple[int, str, str, int | None]]:
    return sorted(
        WaveEntry.history.filter(  # type: ignore[attr-defined]
            id__in=[entry.pk for entry in entries], history_change_reason=reason
        ).values_list("id", "history_type", "status", "history_user_id")
    )


def _wave(manager: User, programme: Programme, number_offset: int = 0) -> Wave:
    opens_at = timezone.now() - timedelta(days=1) + timedelta(days=30 * number_offset)
    return services.wave_create(
        actor=manager,
        programme=programme,
        name=f"Gelombang {number_offset + 1}",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        total_quota=10,
        regency_quotas={"3578": 6, "3573": 4},
    )


def test_joining_every_submitted_applicant_writes_one_created_row_each_in_one_statement(
    manager: User, programme: Programme
) -> None:
    WaveSettings.objects.create(programme=programme, join_mode="automatic")
    registrations_make(programme, [Applicant() for _ in range(4)])
    with CaptureQueriesContext(connection) as queries:
        wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    entries = list(WaveEntry.objects.filter(wave=wave))
    assert len(entries) == 4
    assert _history(entries, "bergabung otomatis") == sorted(
        (entry.pk, "+", "joined", manager.pk) for entry in entries
    )
    assert _history_writes(queries) == 1


def test_closing_joins_the_waiting_submitted_and_lists_the_drafts_with_history(
    manager: User, programme: Programme
) -> None:
    WaveSettings.objects.create(programme=programme, join_mode="automatic")
    wave = services.wave_open(actor=manager, wave=_wave(manager, programme))
    waiting = registrations_make(programme, [Applicant(), Applicant()])
    WaveEntry.objects.filter(wave=wave).delete()
    waiting_entries = [
        WaveEntry.objects.create(wave=wave, registration=r, status="waiting", missing_items=["x"])
        for r in waiting
    ]
    drafts = registrations_make(programme, [Applicant(status="draft") for _ in range(3)])
    with CaptureQueriesContext(connection) as queries:
        services.wave_close(actor=manager, wave=wave)
    assert _history(waiting_entries, "bergabung dari daftar tunggu") == sorted(
        (entry.pk, "~", "joined", manager.pk) for entry in waiting_entries
    )
    listed = list(WaveEntry.objects.filter(wave=wave, registration__in=drafts))
    assert len(listed) == 3
    assert _history(listed, "daftar tunggu saat gelombang ditutup") == sorted(
        (entry.pk, "+", "waiting", manager.pk) for entry in listed
    )
    # Waiting → joined (one), join-all (none left to join: no statement), the drafts (one).
    assert _history_writes(queries) == 2


def test_publishing_writes_selected_not_selected_and_carried_over_rows_in_constant_statements(
    manager: User, programme: Programme
) -> None:
    second_manager = make_user(role=Role.MANAGER)
    regs = registrations_make(programme, [Applicant() for _ in range(6)])
    wave = closed_wave(programme, {"3578": 2}, regs)
    next_wave = _wave(manager, programme, number_offset=wave.number)
    run = services.selection_run_create(actor=manager, wave=wave, seed="s")
    run = services.selection_run_execute(run_id=run.pk)
    run = services.selection_run_approve(actor=second_manager, run=run)
    with CaptureQueriesContext(connection) as queries:
        services.selection_run_publish(actor=second_manager, run=run)

    entries = list(WaveEntry.objects.filter(wave=wave))
    published = _history(entries, "hasil seleksi diumumkan")
    assert sorted(status for _id, _type, status, _user in published) == [
        *["not_selected"] * 4,
        *["selected"] * 2,
    ]
    assert {(kind, user) for _id, kind, _status, user in published} == {("~", second_manager.pk)}
    losers = [entry for entry in entries if entry.status == "carried_over"]
    assert len(losers) == 4
    carried = list(WaveEntry.objects.filter(wave=next_wave))
    assert _history(losers + carried, "dialihkan ke gelombang berikutnya") == sorted(
        [(entry.pk, "~", "carried_over", second_manager.pk) for entry in losers]
        + [(entry.pk, "+", "joined", second_manager.pk) for entry in carried]
    )
    # Selected, not selected, carried into the next wave, carried out of this one: four
    # statements whatever the number of applicants.
    assert _history_writes(queries) == 4


def test_a_new_wave_takes_over_the_previous_waves_remaining_applicants_with_history(
    manager: User, programme: Programme
) -> None:
    first = _wave(manager, programme)
    drafts = registrations_make(programme, [Applicant(status="draft") for _ in range(2)])
    services.wave_open(actor=manager, wave=first)
    services.wave_close(actor=manager, wave=first)
    waiting = list(WaveEntry.objects.filter(wave=first, registration__in=drafts))
    assert len(waiting) == 2
    with CaptureQueriesContext(connection) as queries:
        second = _wave(manager, programme, number_offset=1)
    moved = list(WaveEntry.objects.filter(wave=second))
    assert _history(moved + waiting, "dialihkan ke gelombang berikutnya") == sorted(
        [(entry.pk, "+", "waiting", manager.pk) for entry in moved]
        + [(entry.pk, "~", "carried_over", manager.pk) for entry in waiting]
    )
    assert _history_writes(queries) == 2
