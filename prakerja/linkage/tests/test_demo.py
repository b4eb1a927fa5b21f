"""The demo population (``linkage.demo``), small: what ``make run`` promises every screen."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db.models.functions import TruncDate

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.identity.models import Person
from prakerja.labourdata.models import ImportBatch
from prakerja.linkage.demo import population_demo_load
from prakerja.linkage.models import Link, LinkageRun
from prakerja.linkage.selectors import review_queue_for_actor
from prakerja.registry.models import Registration
from prakerja.waves.demo import waves_demo_load
from prakerja.waves.models import SelectionResult, SelectionRun, Wave, WaveEntry
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_publish,
    wave_close,
)

APPLICANTS = 300


@pytest.fixture
def demo(db: None) -> Wave:
    make_user(role=Role.DATA_OFFICER, username="datajatim")
    make_user(role=Role.DATA_OFFICER, username="datasby", regency_code="3578")
    return waves_demo_load()


def _counts() -> dict[str, int]:
    return {
        "registrations": Registration.objects.count(),
        "registration history": Registration.history.count(),
        "persons": Person.objects.count(),
        "users": User.objects.count(),
        "entries": WaveEntry.objects.count(),
        "imports": ImportBatch.objects.count(),
        "runs": LinkageRun.objects.count(),
        "links": Link.objects.count(),
    }


def test_it_puts_submitted_applicants_of_weeks_of_days_into_the_open_wave(demo: Wave) -> None:
    result = population_demo_load(applicants=APPLICANTS)

    assert result.applicants == result.applicants_made == APPLICANTS
    submitted = Registration.objects.filter(status=Registration.Status.SUBMITTED)
    assert submitted.count() == APPLICANTS
    assert WaveEntry.objects.filter(wave=demo, status=WaveEntry.Status.JOINED).count() == APPLICANTS
    days = (
        submitted.annotate(day=TruncDate("submitted_at", tzinfo=ZoneInfo("Asia/Jakarta")))
        .values("day")
        .distinct()
        .count()
    )
    assert days >= 14
    assert set(submitted.values_list("channel", flat=True)) >= {"online", "callcentre"}
    # The audit trail: every registration and entry has its "created" history row.
    assert Registration.history.filter(history_type="+").count() == APPLICANTS
    assert WaveEntry.history.filter(history_type="+").count() == APPLICANTS


def test_it_links_the_disnaker_lists_and_leaves_some_pairs_for_the_data_officers(
    demo: Wave,
) -> None:
    result = population_demo_load(applicants=APPLICANTS)

    assert result.imports == 2
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.COMPLETED
    assert result.auto_links >= 1
    assert result.review_pairs >= 1
    assert Registration.objects.filter(reported_by_disnaker=True).count() >= 1
    surabaya = User.objects.get(username="datasby")
    assert review_queue_for_actor(actor=surabaya).exists()


def test_a_second_load_adds_nothing(demo: Wave) -> None:
    population_demo_load(applicants=APPLICANTS)
    before = _counts()

    again = population_demo_load(applicants=APPLICANTS)

    assert again.applicants_made == 0
    assert _counts() == before


def test_a_manager_can_close_run_approve_and_publish_the_demo_wave(demo: Wave) -> None:
    population_demo_load(applicants=APPLICANTS)
    first = make_user(role=Role.MANAGER)
    second = make_user(role=Role.MANAGER)

    wave_close(actor=first, wave=demo)
    run = selection_run_create(actor=first, wave=demo, seed="demo")
    run = selection_run_execute(run_id=run.pk)
    assert run.status == SelectionRun.Status.READY
    results = SelectionResult.objects.filter(run=run)
    assert results.count() == APPLICANTS
    assert results.filter(selected=True).exists()
    run = selection_run_approve(actor=second, run=run)
    run = selection_run_publish(actor=second, run=run)

    assert run.status == SelectionRun.Status.PUBLISHED
    assert WaveEntry.objects.filter(wave=demo, status=WaveEntry.Status.SELECTED).exists()
