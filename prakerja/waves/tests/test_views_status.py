"""The applicant's status page after a wave's selection, the join button, and the run pages'
counts, through HTTP with real sign-ins (fixtures in conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.registry.models import Programme, Registration
from prakerja.waves.models import (
    SelectionRun,
    Wave,
    WaveEntry,
    WaveSettings,
)
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_publish,
    wave_close,
    wave_create,
)
from prakerja.waves.tests.population import Applicant
from prakerja.waves.tests.views_support import (
    SURABAYA,
    open_wave,
    post_form,
    registrations_make,
    signed_in,
)

pytestmark = pytest.mark.django_db


# --- The applicant's status page -------------------------------------------------------------


def _status(registration: Registration) -> str:
    response = signed_in(registration.user).get(f"/daftar/{registration.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _published(manager: User, second_manager: User, run: SelectionRun) -> SelectionRun:
    selection_run_approve(actor=second_manager, run=run)
    return selection_run_publish(actor=second_manager, run=run)


def test_a_selected_applicant_sees_the_result_category_rank_and_quota(
    manager: User, second_manager: User, ready_run: SelectionRun
) -> None:
    _published(manager, second_manager, ready_run)
    entry = WaveEntry.objects.get(
        wave=ready_run.wave, status="selected", registration__reported_by_disnaker=True
    )

    page = _status(entry.registration)

    assert 'data-result="selected"' in page
    assert '<dd class="wave-category">Korban PHK · dilaporkan Disnaker</dd>' in page
    assert '<dd class="wave-rank">1 di Kota Surabaya</dd>' in page
    assert '<dd class="wave-quota">2 orang</dd>' in page
    assert "Terpilih berdasarkan prioritas" in page
    assert "Selamat! Pilih dan beli pelatihan pertama Anda di menu Pelatihan saya" in page


def test_an_applicant_not_selected_sees_the_reason_and_the_complaint_route(
    manager: User, second_manager: User, ready_run: SelectionRun
) -> None:
    _published(manager, second_manager, ready_run)
    entry = WaveEntry.objects.get(
        wave=ready_run.wave, registration__domicile_regency_id=SURABAYA, status="not_selected"
    )

    page = _status(entry.registration)

    assert 'data-result="not_selected"' in page
    assert '<dd class="wave-reason" data-code="quota_full">' in page
    assert '<dd class="wave-rank">3 di Kota Surabaya</dd>' in page
    assert "Anda otomatis diikutkan pada gelombang berikutnya" in page
    assert '<a href="tel:031-8293097">031-8293097</a>' in page
    assert '<a href="tel:031-8280254">031-8280254</a>' in page


def test_a_dry_run_is_never_shown_to_the_applicant(ready_run: SelectionRun) -> None:
    entry = WaveEntry.objects.filter(wave=ready_run.wave).first()
    assert entry is not None

    page = _status(entry.registration)

    assert 'data-result="joined"' in page
    assert "Terpilih" not in page and "wave-rank" not in page


def test_an_applicant_on_the_waiting_list_sees_what_is_missing(
    manager: User, programme: Programme
) -> None:
    wave = open_wave(programme, manager, {SURABAYA: 1})
    (draft,) = registrations_make(programme, [Applicant(status="draft")])
    wave_close(actor=manager, wave=wave)

    page = _status(draft)

    assert 'data-result="waiting"' in page
    assert '<ul class="wave-missing"><li>Data diri</li>' in page
    assert "Lengkapi data yang masih kurang." in page


def test_an_applicant_joins_the_open_wave_with_the_button(
    manager: User, programme: Programme
) -> None:
    wave = open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])
    client = signed_in(registration.user)
    page = client.get(f"/daftar/{registration.reference}/").content.decode()
    assert "Ikut Gelombang 1" in page

    response = post_form(
        client, f"/gelombang/ikut/{registration.reference}/", {"wave": str(wave.pk)}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/daftar/{registration.reference}/"
    assert WaveEntry.objects.filter(wave=wave, registration=registration).exists()
    after = client.get(response["Location"]).content.decode()
    assert "Anda sudah bergabung ke Gelombang 1." in after
    assert "Ikut Gelombang 1" not in after
    assert 'data-result="joined"' in after


def test_there_is_no_join_button_when_the_programme_joins_applicants_automatically(
    manager: User, programme: Programme
) -> None:
    WaveSettings.objects.update_or_create(
        programme=programme, defaults={"join_mode": WaveSettings.JoinMode.AUTOMATIC}
    )
    open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])

    assert "Ikut Gelombang 1" not in _status(registration)


def test_an_applicant_cannot_join_someone_elses_registration(
    manager: User, programme: Programme, applicant: User
) -> None:
    wave = open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])

    response = post_form(
        signed_in(applicant), f"/gelombang/ikut/{registration.reference}/", {"wave": str(wave.pk)}
    )

    assert response.status_code in (403, 404)
    assert not WaveEntry.objects.filter(registration=registration).exists()


def test_an_applicant_carried_to_the_next_wave_sees_both_the_earlier_reason_and_the_new_wave(
    manager: User, second_manager: User, ready_run: SelectionRun, programme: Programme
) -> None:
    _published(manager, second_manager, ready_run)
    now = timezone.now()
    wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 2",
        opens_at=now + timedelta(days=6),
        closes_at=now + timedelta(days=10),
        total_quota=1,
        regency_quotas={SURABAYA: 1},
    )
    entry = WaveEntry.objects.get(
        wave=ready_run.wave, registration__domicile_regency_id=SURABAYA, status="carried_over"
    )

    page = _status(entry.registration)

    assert '<dd class="wave-reason" data-code="quota_full">' in page
    assert '<dd class="wave-rank">3 di Kota Surabaya</dd>' in page
    assert "<dt>Gelombang</dt><dd>Gelombang 2</dd>" in page
    assert 'data-result="joined"' in page


def test_the_wave_list_costs_the_same_queries_for_one_wave_or_many(
    manager: User, programme: Programme, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(manager)
    now = timezone.now()
    for n in range(4):
        wave_create(
            actor=manager,
            programme=programme,
            name=f"Gelombang {n + 1}",
            opens_at=now + timedelta(days=10 * n),
            closes_at=now + timedelta(days=10 * n + 5),
            total_quota=1,
            regency_quotas={SURABAYA: 1},
        )
    with django_assert_max_num_queries(8):
        response = client.get("/gelombang/")
    assert response.content.decode().count('data-status="draft"') == 4


def test_the_published_run_page_counts_the_announcements(
    manager: User, second_manager: User, ready_run: SelectionRun
) -> None:
    from prakerja.waves.announcements import wave_results_announce

    _published(manager, second_manager, ready_run)
    wave_results_announce(wave_id=ready_run.wave_id)

    page = signed_in(manager).get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()

    # The population has no phone numbers: claimed, nothing to send, nothing failed.
    assert "Pengumuman hasil: 0 SMS dan 0 email terkirim, 0 gagal." in page


def test_opening_a_wave_without_quotas_is_refused_with_the_reason(
    manager: User, programme: Programme
) -> None:
    now = timezone.now()
    wave = wave_create(
        actor=manager,
        programme=programme,
        name="Gelombang 1",
        opens_at=now,
        closes_at=now + timedelta(days=5),
        total_quota=10,
    )

    response = post_form(signed_in(manager), f"/gelombang/{wave.pk}/buka/")

    assert response.status_code == 400
    assert (
        'data-code="waves.quota_missing">Tetapkan kuota kabupaten/kota sebelum membuka '
        "gelombang.</p>"
    ) in response.content.decode()
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.DRAFT


def test_a_second_dry_run_while_one_is_running_is_refused(
    manager: User, second_manager: User, joined_wave: Wave
) -> None:
    wave_close(actor=manager, wave=joined_wave)
    post_form(signed_in(manager), f"/gelombang/{joined_wave.pk}/seleksi/")

    response = post_form(signed_in(second_manager), f"/gelombang/{joined_wave.pk}/seleksi/")

    assert response.status_code == 400
    assert (
        "Proses seleksi untuk gelombang ini sedang berjalan. Tunggu hingga selesai."
        in response.content.decode()
    )
    assert SelectionRun.objects.count() == 1


def test_a_dry_run_takes_a_seed_drawn_in_public_and_refuses_a_malformed_one(
    manager: User, joined_wave: Wave
) -> None:
    wave_close(actor=manager, wave=joined_wave)
    client = signed_in(manager)

    refused = post_form(client, f"/gelombang/{joined_wave.pk}/seleksi/", {"seed": "undian <2020>"})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert 'data-code="selection.seed_invalid">Benih undian 1–64 karakter' in content
    assert 'value="undian &lt;2020&gt;"' in content
    assert SelectionRun.objects.count() == 0

    started = post_form(
        client, f"/gelombang/{joined_wave.pk}/seleksi/", {"seed": "undian-17-04-2020"}
    )
    assert started.status_code == 302
    assert SelectionRun.objects.get().seed == "undian-17-04-2020"
