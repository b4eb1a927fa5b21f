"""Across apps: publishing a selection (waves) opens JPS review cases (linkage) for selected
applicants who receive JPS, through the ``selection_published`` signal, in the same
transaction as the published result (issue 5, item 7)."""

from __future__ import annotations

import pytest

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Kind
from prakerja.linkage.models import JpsReviewCase
from prakerja.linkage.tests import factories as f
from prakerja.registry.models import Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import services
from prakerja.waves.models import SelectionResult
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

pytestmark = pytest.mark.django_db


def test_publishing_opens_a_jps_case_only_for_a_selected_jps_recipient(
    manager: User, surabaya_data_officer: User
) -> None:
    programme = registry_seed_load().programme
    registrations = registrations_make(programme, [Applicant(regency="3578")] * 4)
    for serial, registration in enumerate(registrations, start=300):
        registration.person, _ = person_get_or_create(nik=fake_nik(serial=serial))
    Registration.objects.bulk_update(registrations, ["person"])
    wave = closed_wave(programme, {"3578": 2}, registrations)
    run = services.selection_run_create(actor=manager, wave=wave, seed="jps-handoff")
    run = services.selection_run_execute(run_id=run.pk)
    second_manager = make_user(role=Role.MANAGER)
    run = services.selection_run_approve(actor=second_manager, run=run)

    results = SelectionResult.objects.filter(run=run)
    chosen = Registration.objects.get(pk=results.filter(selected=True)[0].registration_id)
    left_out = Registration.objects.get(pk=results.filter(selected=False)[0].registration_id)
    # Both receive JPS; only the selected one may need a decision about it.
    jps_batch = f.batch(kind=Kind.JPS, source="", uploader=surabaya_data_officer)
    for registration in (chosen, left_out):
        assert registration.person is not None
        f.jps_receipt(nik=registration.person.nik, full_name="Penerima", jps_batch=jps_batch)
    assert not JpsReviewCase.objects.exists()

    services.selection_run_publish(actor=second_manager, run=run)

    case = JpsReviewCase.objects.get()
    assert (case.registration_id, case.trigger, case.status) == (chosen.pk, "selection", "open")
    assert case.selection_ref == f"{wave.pk}/{run.pk}"
    assert case.assigned_to == surabaya_data_officer
