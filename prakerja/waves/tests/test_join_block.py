"""A registration under a ``JoinBlock`` (written by the enrolment app when it revokes a
participant) joins no wave until the block ends: explicitly, automatically at open or close,
and the status page shows no join button but the date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.registry.models import Programme, Registration
from prakerja.registry.references import reference_generate
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import services
from prakerja.waves.models import JoinBlock, RegencyQuota, Wave, WaveEntry, WaveSettings
from prakerja.waves.tests.population import Applicant, registrations_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    return registry_seed_load().programme


def _earlier_wave(programme: Programme) -> Wave:
    start = timezone.now() - timedelta(days=90)
    return Wave.objects.create(
        programme=programme,
        number=1,
        name="Gelombang 1",
        opens_at=start,
        closes_at=start + timedelta(days=5),
        total_quota=1,
        status=Wave.Status.PUBLISHED,
    )


def _block(registration: Registration, wave: Wave, *, days: int) -> JoinBlock:
    WaveEntry.objects.create(wave=wave, registration=registration, status="revoked")
    return JoinBlock.objects.create(
        registration=registration,
        wave=wave,
        until=timezone.now() + timedelta(days=days),
        reason="uji",
        created_at=timezone.now(),
    )


def _open_wave(manager: User, programme: Programme) -> Wave:
    opens_at = timezone.now() - timedelta(hours=1)
    wave = services.wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 2",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        total_quota=10,
        regency_quotas={"3578": 10},
    )
    return services.wave_open(actor=manager, wave=wave)


def test_a_blocked_applicant_cannot_join_until_the_block_ends(
    manager: User, programme: Programme
) -> None:
    (registration,) = registrations_make(programme, [Applicant()])
    block = _block(registration, _earlier_wave(programme), days=200)
    wave = _open_wave(manager, programme)

    with pytest.raises(ApplicationError) as caught:
        services.wave_join(actor=registration.user, wave=wave, registration=registration)
    assert (caught.value.code, caught.value.status) == ("waves.join_blocked", 409)
    assert not WaveEntry.objects.filter(wave=wave).exists()

    JoinBlock.objects.filter(pk=block.pk).update(until=timezone.now() - timedelta(minutes=1))
    entry = services.wave_join(actor=registration.user, wave=wave, registration=registration)
    assert entry.status == "joined"


def test_automatic_joining_leaves_the_blocked_out(manager: User, programme: Programme) -> None:
    WaveSettings.objects.create(programme=programme, join_mode="automatic")
    blocked, free = registrations_make(programme, [Applicant(), Applicant()])
    _block(blocked, _earlier_wave(programme), days=30)

    wave = _open_wave(manager, programme)

    assert list(WaveEntry.objects.filter(wave=wave).values_list("registration", flat=True)) == [
        free.pk
    ]
    assert RegencyQuota.objects.filter(wave=wave).exists()


def test_the_status_page_shows_the_revocation_and_no_join_button(
    manager: User, programme: Programme
) -> None:
    (registration,) = registrations_make(programme, [Applicant()])
    # A reference in the canonical form, as the status page's URL takes it.
    registration.reference = reference_generate()
    registration.save(update_fields=["reference"])
    _block(registration, _earlier_wave(programme), days=100)
    _open_wave(manager, programme)
    client = Client()
    client.force_login(registration.user)

    page = client.get(f"/daftar/{registration.reference}/").content.decode()

    assert 'data-result="revoked"' in page
    assert "Kepesertaan dicabut" in page
    assert "Dapat ikut gelombang lagi mulai" in page
    assert "Ikut Gelombang 2" not in page
