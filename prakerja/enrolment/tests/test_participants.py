"""Publishing a selection makes each selected applicant a participant with the balance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prakerja.enrolment.models import LedgerEntry, Participant, TrainingSettings
from prakerja.enrolment.selectors import ledger_mismatches
from prakerja.enrolment.services.participants import (
    participants_backfill,
    participants_create_for_selection,
)
from prakerja.enrolment.testing import (
    applicants_make,
    closed_wave_with,
    publish,
    published_selection,
)
from prakerja.registry.services.programme import programme_default
from prakerja.waves.models import SelectionResult, WaveEntry

pytestmark = pytest.mark.django_db


def test_each_selected_applicant_becomes_a_participant_with_the_programme_balance() -> None:
    selection = published_selection(
        quotas={"3578": 2, "3573": 1}, applicants={"3578": 4, "3573": 2}
    )

    participants = selection.participants()
    assert len(participants) == 3
    selected = set(
        WaveEntry.objects.filter(wave=selection.wave, status="selected").values_list(
            "registration_id", flat=True
        )
    )
    assert {p.registration_id for p in participants} == selected
    for participant in participants:
        assert participant.status == Participant.Status.ACTIVE
        assert participant.balance == 1_000_000
        published_at = selection.run.published_at
        assert published_at is not None
        assert abs(participant.selected_at - published_at) < timedelta(seconds=5)
        assert participant.enrol_by == participant.selected_at + timedelta(days=30)
        ranked_in = SelectionResult.objects.get(
            run=selection.run, registration_id=participant.registration_id
        ).regency_id
        assert participant.regency_id == ranked_in
    grants = LedgerEntry.objects.filter(participant__in=participants)
    assert sorted(grants.values_list("reason", "amount")) == [("grant", 1_000_000)] * 3
    assert ledger_mismatches() == []


def test_participants_get_a_history_row_naming_the_publishing_manager() -> None:
    selection = published_selection(quotas={"3578": 2})

    history = Participant.history.filter(wave_id=selection.wave.pk)
    assert history.count() == 2
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in history} == {
        ("+", selection.run.published_by_id, "terpilih: peserta pelatihan dibuat")
    }


def test_the_programme_settings_are_data_created_with_the_defaults_on_first_use() -> None:
    programme = programme_default()
    TrainingSettings.objects.create(
        programme=programme, balance_amount=750_000, enrol_deadline_days=10
    )
    selection = published_selection(quotas={"3578": 1}, programme=programme)

    (participant,) = selection.participants()
    assert participant.balance == 750_000
    assert participant.enrol_by - participant.selected_at == timedelta(days=10)


def test_making_participants_is_set_based_whatever_the_number_selected() -> None:
    programme = programme_default()
    small = closed_wave_with(programme, {"3578": 2}, applicants_make(programme, "3578", 2))
    run = publish(small)
    LedgerEntry.objects.all().delete()
    Participant.objects.all().delete()
    with CaptureQueriesContext(connection) as few:
        participants_create_for_selection(run=run, actor=None)
    big = closed_wave_with(programme, {"3578": 40}, applicants_make(programme, "3578", 40))
    run = publish(big)
    LedgerEntry.objects.filter(participant__wave=big).delete()
    Participant.objects.filter(wave=big).delete()
    with CaptureQueriesContext(connection) as many:
        participants_create_for_selection(run=run, actor=None)
    assert Participant.objects.filter(wave=big).count() == 40
    assert len(many) == len(few)


def test_the_backfill_makes_the_participants_of_waves_published_before_and_is_idempotent() -> None:
    selection = published_selection(quotas={"3578": 3})
    LedgerEntry.objects.all().delete()
    Participant.history.all().delete()
    Participant.objects.all().delete()

    assert participants_backfill(actor=None) == 3
    assert participants_backfill(actor=None) == 0
    call_command("enrolment_participants_backfill", verbosity=0)
    assert len(selection.participants()) == 3
    assert LedgerEntry.objects.count() == 3
    assert ledger_mismatches() == []
