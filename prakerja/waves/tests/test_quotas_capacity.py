"""Allocation "by demand and training capacity": seats follow min(registrations, verified
training capacity for the wave's period) per regency, by largest remainder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_provider, make_user, sign_in_with_totp
from prakerja.core.errors import ApplicationError
from prakerja.enrolment.testing import applicants_make
from prakerja.registry.services.programme import registry_seed_load
from prakerja.training.models import Provider, ProviderCapacity
from prakerja.waves.models import RegencyQuota, Wave
from prakerja.waves.selectors import quota_inputs
from prakerja.waves.services import wave_quotas_allocate_by_capacity, wave_quotas_set

pytestmark = pytest.mark.django_db
SURABAYA, MALANG, SIDOARJO, JEMBER = "3578", "3573", "3515", "3509"


@pytest.fixture(autouse=True)
def period(settings: Any) -> None:
    settings.WAVE_TRAINING_PERIOD_DAYS = 365  # capacity for the period = yearly capacity


def _wave(total: int) -> Wave:
    programme = registry_seed_load().programme
    now = timezone.now()
    return Wave.objects.create(
        programme=programme,
        number=Wave.objects.count() + 1,
        name="Gelombang Uji",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
        total_quota=total,
        status=Wave.Status.DRAFT,
    )


def _capacity(regency: str, yearly: int, status: str = Provider.Status.VERIFIED) -> None:
    provider = make_provider(regency_code=regency, status=status)
    ProviderCapacity.objects.create(provider=provider, field="digital", yearly_capacity=yearly)


def test_seats_follow_the_smaller_of_demand_and_capacity_and_add_up() -> None:
    wave = _wave(100)
    programme = wave.programme
    applicants_make(programme, SURABAYA, 60)  # demand 60, capacity 20 → weight 20
    applicants_make(programme, MALANG, 10)  # demand 10, capacity 500 → weight 10
    applicants_make(programme, SIDOARJO, 30)  # no verified provider → weight 0
    _capacity(SURABAYA, 20)
    _capacity(MALANG, 500)
    _capacity(SIDOARJO, 900, status=Provider.Status.SUBMITTED)  # not verified: not counted
    manager = make_user(role=Role.MANAGER)

    quotas = wave_quotas_allocate_by_capacity(actor=manager, wave=wave)

    assert sum(quotas.values()) == 100
    assert (quotas[SURABAYA], quotas[MALANG], quotas[SIDOARJO]) == (67, 33, 0)
    row = RegencyQuota.objects.get(wave=wave, regency_id=SURABAYA)
    assert (row.method, row.demand, row.capacity) == ("capacity", 60, 20)
    assert row.history.first().history_user == manager  # type: ignore[attr-defined]


def test_ties_go_to_the_lower_code_and_the_period_prorates_capacity(settings: Any) -> None:
    settings.WAVE_TRAINING_PERIOD_DAYS = 73  # a fifth of the year
    wave = _wave(3)
    applicants_make(wave.programme, SURABAYA, 50)
    applicants_make(wave.programme, MALANG, 50)
    _capacity(SURABAYA, 100)
    _capacity(MALANG, 100)
    inputs = quota_inputs(wave=wave)
    assert (inputs[SURABAYA].capacity, inputs[SURABAYA].weight) == (20, 20)
    quotas = wave_quotas_allocate_by_capacity(actor=make_user(role=Role.MANAGER), wave=wave)
    assert (quotas[MALANG], quotas[SURABAYA]) == (2, 1)  # 1.5 each: the lower code first


def test_no_capacity_anywhere_is_refused_and_writes_nothing() -> None:
    wave = _wave(10)
    applicants_make(wave.programme, JEMBER, 5)
    with pytest.raises(ApplicationError) as refused:
        wave_quotas_allocate_by_capacity(actor=make_user(role=Role.MANAGER), wave=wave)
    assert refused.value.code == "waves.quota_no_capacity"
    assert not RegencyQuota.objects.filter(wave=wave).exists()


def test_hand_set_quotas_stay_possible_after_a_capacity_allocation() -> None:
    wave = _wave(10)
    applicants_make(wave.programme, SURABAYA, 5)
    _capacity(SURABAYA, 50)
    manager = make_user(role=Role.MANAGER)
    wave_quotas_allocate_by_capacity(actor=manager, wave=wave)
    wave_quotas_set(actor=manager, wave=wave, regency_quotas={SURABAYA: 4, MALANG: 6})
    rows = {q.regency_id: q for q in RegencyQuota.objects.filter(wave=wave)}
    assert {code: (q.quota, q.method) for code, q in rows.items()} == {
        SURABAYA: (4, "manual"),
        MALANG: (6, "manual"),
    }
    assert rows[SURABAYA].demand is None


def test_the_quota_page_shows_both_inputs_and_the_api_allocates_by_capacity() -> None:
    import json

    from prakerja.accounts.tokens import api_token_create

    wave = _wave(20)
    applicants_make(wave.programme, SURABAYA, 7)
    _capacity(SURABAYA, 40)
    manager = make_user(role=Role.MANAGER)
    client = Client()
    sign_in_with_totp(client, manager)
    page = client.get(f"/gelombang/{wave.pk}/kuota/")
    body = page.content.decode()
    assert 'class="demand" data-regency="3578">7<' in body
    assert 'class="capacity" data-regency="3578">40<' in body
    api = Client().post(
        f"/api/v1/waves/{wave.pk}/quotas/allocate?mode=capacity",
        headers={"Authorization": f"Bearer {api_token_create(user=manager)}"},
    )
    assert api.status_code == 200, api.content
    surabaya = next(q for q in api.json()["quotas"] if q["regency"] == SURABAYA)
    assert (surabaya["quota"], surabaya["demand"], surabaya["capacity"]) == (20, 7, 40)
    assert json.loads(api.content)["quotas"][0]["method"] == "capacity"
