"""Fixtures of the wave pages' tests: the programme, a second manager (Gita), a wave with
applicants joined and a finished dry run."""

from __future__ import annotations

import pytest

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.registry.models import Programme
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import (
    SelectionRun,
    Wave,
)
from prakerja.waves.services import (
    selection_run_create,
    selection_run_execute,
    wave_close,
    wave_join,
)
from prakerja.waves.tests.population import Applicant
from prakerja.waves.tests.views_support import MALANG, SURABAYA, open_wave, registrations_make


@pytest.fixture
def programme() -> Programme:
    return registry_seed_load().programme


@pytest.fixture
def second_manager() -> User:
    return make_user(role=Role.MANAGER, username="gita-manajer", full_name="Gita Pengelola")


@pytest.fixture
def joined_wave(programme: Programme, manager: User) -> Wave:
    """An open wave with quotas 2 (Surabaya) and 1 (Malang) and five applicants joined."""
    wave = open_wave(programme, manager, {SURABAYA: 2, MALANG: 1})
    applicants = [
        Applicant(regency=SURABAYA, reported=True, kk="1"),
        Applicant(regency=SURABAYA, category="furloughed", kk="2"),
        Applicant(regency=SURABAYA, category="job_seeker", kk="3"),
        Applicant(regency=MALANG, category="migrant_worker", kk="4"),
        Applicant(regency=MALANG, category="job_seeker", kk="5"),
    ]
    for registration in registrations_make(programme, applicants):
        wave_join(actor=manager, wave=wave, registration=registration)
    return wave


@pytest.fixture
def ready_run(joined_wave: Wave, manager: User) -> SelectionRun:
    wave_close(actor=manager, wave=joined_wave)
    run = selection_run_create(actor=manager, wave=joined_wave, seed="benih-uji-2020")
    return selection_run_execute(run_id=run.pk)
