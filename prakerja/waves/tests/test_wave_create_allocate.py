"""``wave_create(allocate=True)``: the wave and its allocated quotas in one transaction of the
service itself, not of the page that calls it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.registry.models import Programme
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import RegencyQuota, Wave
from prakerja.waves.services import quotas as quota_services
from prakerja.waves.services import wave_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def programme(transactional_db: None) -> Programme:
    return registry_seed_load().programme


def _create(manager: User, programme: Programme) -> Wave:
    opens_at = timezone.now() + timedelta(days=1)
    return wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang alokasi",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        total_quota=380,
        allocate=True,
    )


def test_it_creates_the_wave_with_quotas_that_add_up_to_its_total(
    manager: User, programme: Programme
) -> None:
    wave = _create(manager, programme)
    quotas = RegencyQuota.objects.filter(wave=wave)
    assert sum(quotas.values_list("quota", flat=True)) == 380
    assert set(quotas.values_list("method", flat=True)) == {RegencyQuota.Method.ALLOCATED}


def test_a_refused_allocation_leaves_no_wave_behind_without_an_outer_transaction(
    manager: User, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ApplicationError("waves.quota_invalid", "ditolak")

    monkeypatch.setattr(quota_services, "_quotas_write", refuse)
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(ApplicationError):
        _create(manager, programme)
    assert not Wave.objects.exists()
