"""The manager's wave pages and the applicant's result, through HTTP with real sign-ins.

Personas: Fajar (``manager``) creates waves and starts runs; Gita (``second_manager``) approves
and publishes; the applicant, an officer, a data officer and a viewer may not manage waves.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user, sign_in_with_totp
from prakerja.registry.models import Programme, Registration
from prakerja.registry.references import reference_generate
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import (
    RegencyQuota,
    SelectionRun,
    Wave,
    WaveEntry,
    WaveSettings,
)
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_publish,
    wave_close,
    wave_create,
    wave_join,
    wave_open,
)
from prakerja.waves.tests import population
from prakerja.waves.tests.population import Applicant

pytestmark = pytest.mark.django_db

SURABAYA, MALANG = "3578", "3573"


@pytest.fixture
def programme() -> Programme:
    return registry_seed_load().programme


@pytest.fixture
def second_manager() -> User:
    return make_user(role=Role.MANAGER, username="gita-manajer", full_name="Gita Pengelola")


def registrations_make(programme: Programme, applicants: list[Applicant]) -> list[Registration]:
    """The selection's fast population, with references the status page's URL accepts."""
    registrations = population.registrations_make(programme, applicants)
    for registration in registrations:
        registration.reference = reference_generate()
    Registration.objects.bulk_update(registrations, ["reference"])
    return registrations


def _signed_in(user: User) -> Client:
    client = Client()
    if user.role == Role.APPLICANT:
        client.force_login(user)
    else:
        sign_in_with_totp(client, user)
    return client


def _post(client: Client, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(url, {"submission_token": str(uuid.uuid4()), **(data or {})}, **extra)


def _local(delta_days: float) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=delta_days)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def _wave_form(total: int, quotas: dict[str, int | str], **fields: Any) -> dict[str, Any]:
    return {
        "name": "Gelombang 1",
        "opens_at": _local(-1),
        "closes_at": _local(5),
        "total_quota": str(total),
        "action": "save",
        **{f"quota_{code}": str(value) for code, value in quotas.items()},
        **fields,
    }


def _open_wave(programme: Programme, actor: User, quotas: dict[str, int]) -> Wave:
    now = timezone.now()
    wave = wave_create(
        actor=actor,
        programme=programme,
        name="Gelombang 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
        total_quota=sum(quotas.values()),
        regency_quotas=quotas,
    )
    return wave_open(actor=actor, wave=wave)


# --- Permissions ----------------------------------------------------------------------------


def test_a_manager_sees_the_waves_of_the_programme(manager: User, programme: Programme) -> None:
    _open_wave(programme, manager, {SURABAYA: 3})
    response = _signed_in(manager).get("/gelombang/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Gelombang 1" in content
    assert 'data-status="open"' in content


@pytest.mark.parametrize(
    "persona",
    ["applicant", "officer", "province_data_officer", "viewer", "callcentre_agent"],
)
def test_other_roles_may_not_open_the_wave_pages(
    persona: str, request: pytest.FixtureRequest, manager: User, programme: Programme
) -> None:
    wave = _open_wave(programme, manager, {SURABAYA: 3})
    client = _signed_in(request.getfixturevalue(persona))
    for url in ("/gelombang/", "/gelombang/baru/", f"/gelombang/{wave.pk}/"):
        assert client.get(url).status_code == 403, url
    assert _post(client, f"/gelombang/{wave.pk}/tutup/").status_code == 403
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.OPEN


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/gelombang/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Creating a wave ------------------------------------------------------------------------


def test_a_manager_creates_a_wave_with_per_regency_quotas(
    manager: User, programme: Programme
) -> None:
    client = _signed_in(manager)
    page = client.get("/gelombang/baru/")
    assert page.status_code == 200
    # One input per East Java regency (38), with its label.
    assert page.content.decode().count('class="quota-input"') == 38

    response = _post(client, "/gelombang/baru/", _wave_form(1000, {SURABAYA: 600, MALANG: 400}))

    wave = Wave.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gelombang/{wave.pk}/"
    assert (wave.name, wave.total_quota, wave.status) == ("Gelombang 1", 1000, "draft")
    assert dict(RegencyQuota.objects.values_list("regency_id", "quota")) == {
        SURABAYA: 600,
        MALANG: 400,
    }
    detail = client.get(response["Location"]).content.decode()
    assert "Kota Surabaya" in detail and "600" in detail


def test_quotas_that_do_not_add_up_are_refused_and_everything_typed_is_kept(
    manager: User, programme: Programme
) -> None:
    client = _signed_in(manager)
    form = _wave_form(1000, {SURABAYA: 600, MALANG: 300}, name="Gelombang Uji")

    response = _post(client, "/gelombang/baru/", form)

    assert response.status_code == 422
    content = response.content.decode()
    assert (
        "Jumlah kuota kabupaten/kota (900) tidak sama dengan kuota total gelombang (1.000)."
        in content
    )
    assert 'id="quota-error" data-code="waves.quota_sum_mismatch"' in content
    assert 'name="name" id="id_name" value="Gelombang Uji"' in content
    assert f'id="id_quota_{SURABAYA}" value="600"' in content
    assert f'id="id_quota_{MALANG}" value="300"' in content
    assert f'value="{form["closes_at"]}"' in content
    assert 'data-sum="900"' in content and 'data-short="100"' in content
    assert Wave.objects.count() == 0


def test_a_quota_that_is_not_a_number_is_refused_next_to_its_regency(
    manager: User, programme: Programme
) -> None:
    response = _post(_signed_in(manager), "/gelombang/baru/", _wave_form(10, {SURABAYA: "sepuluh"}))

    assert response.status_code == 422
    content = response.content.decode()
    assert f'id="quota_{SURABAYA}-error" class="field-error">Kuota harus berupa bilangan' in content
    assert 'value="sepuluh"' in content
    assert Wave.objects.count() == 0


def test_a_wave_overlapping_another_is_refused_at_its_opening_time(
    manager: User, programme: Programme
) -> None:
    _open_wave(programme, manager, {SURABAYA: 5})
    response = _post(_signed_in(manager), "/gelombang/baru/", _wave_form(5, {SURABAYA: 5}))

    assert response.status_code == 422
    content = response.content.decode()
    assert 'id="opens_at-error" class="field-error">Jadwal bertumpuk dengan Gelombang 1' in content
    assert Wave.objects.count() == 1


def test_the_form_sent_twice_creates_one_wave(manager: User, programme: Programme) -> None:
    client = _signed_in(manager)
    data = {"submission_token": str(uuid.uuid4()), **_wave_form(5, {SURABAYA: 5})}

    first = client.post("/gelombang/baru/", data)
    second = client.post("/gelombang/baru/", data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Wave.objects.count() == 1


def test_allocate_automatically_splits_the_total_with_the_allocation_service(
    manager: User, programme: Programme
) -> None:
    registrations_make(programme, [Applicant(regency=SURABAYA)] * 3 + [Applicant(regency=MALANG)])
    client = _signed_in(manager)
    form = _wave_form(380, {}, action="allocate")

    response = _post(client, "/gelombang/baru/", form)

    wave = Wave.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gelombang/{wave.pk}/kuota/"
    quotas = dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota"))
    assert sum(quotas.values()) == 380
    assert quotas[SURABAYA] > quotas[MALANG] > 0
    assert set(RegencyQuota.objects.values_list("method", flat=True)) == {"allocated"}
    page = client.get(response["Location"]).content.decode()
    assert "Kuota dialokasikan otomatis" in page
    assert f'id="id_quota_{SURABAYA}" value="{quotas[SURABAYA]}"' in page


def test_quotas_changed_by_hand_must_still_add_up(manager: User, programme: Programme) -> None:
    wave = _open_wave(programme, manager, {SURABAYA: 5})
    client = _signed_in(manager)

    refused = _post(client, f"/gelombang/{wave.pk}/kuota/", {"quota_3578": "3", "quota_3573": "1"})
    saved = _post(client, f"/gelombang/{wave.pk}/kuota/", {"quota_3578": "3", "quota_3573": "2"})

    assert refused.status_code == 422
    assert "Jumlah kuota kabupaten/kota (4) tidak sama dengan kuota total gelombang (5)." in (
        refused.content.decode()
    )
    assert saved.status_code == 302
    assert dict(RegencyQuota.objects.values_list("regency_id", "quota")) == {
        SURABAYA: 3,
        MALANG: 2,
    }


def test_the_running_sum_says_how_far_it_is_from_the_total(manager: User) -> None:
    client = _signed_in(manager)
    over = client.get(
        "/gelombang/baru/jumlah-kuota/",
        {"total_quota": "1.000", "quota_3578": "700", "quota_3573": "400"},
    ).content.decode()
    exact = client.get(
        "/gelombang/baru/jumlah-kuota/", {"total_quota": "10", "quota_3578": "10"}
    ).content.decode()

    assert 'data-sum="1100"' in over and 'data-over="100"' in over
    assert "(sesuai)" in exact
    assert "<html" not in exact  # the fragment only


# --- Open, close, dry run, four eyes, publish ------------------------------------------------


@pytest.fixture
def joined_wave(programme: Programme, manager: User) -> Wave:
    """An open wave with quotas 2 (Surabaya) and 1 (Malang) and five applicants joined."""
    wave = _open_wave(programme, manager, {SURABAYA: 2, MALANG: 1})
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


def test_a_manager_closes_the_wave_and_starts_a_dry_run_with_the_seed_shown_first(
    manager: User, joined_wave: Wave, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(manager)
    closed = _post(client, f"/gelombang/{joined_wave.pk}/tutup/")
    assert closed.status_code == 302
    assert Wave.objects.get(pk=joined_wave.pk).status == Wave.Status.CLOSED

    with django_capture_on_commit_callbacks(execute=True):
        started = _post(client, f"/gelombang/{joined_wave.pk}/seleksi/")
    run = SelectionRun.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/gelombang/seleksi/{run.pk}/"
    assert DBTaskResult.objects.filter(task_path__endswith="selection_run_execute_task").exists()

    # Before the job: the seed is published, a progress bar polls, no outcome yet.
    page = client.get(started["Location"]).content.decode()
    assert f'<code id="seed-value" style="overflow-wrap:anywhere">{run.seed}</code>' in page
    assert '<progress id="run-progress" value="0" max="100">' in page
    assert 'hx-trigger="every 2s"' in page
    assert 'id="outcome"' not in page
    fragment = client.get(f"/gelombang/seleksi/{run.pk}/?fragment=progress")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()

    selection_run_execute(run_id=run.pk)

    # Done: the poll asks htmx to reload, and the page shows the outcome per regency.
    done = client.get(f"/gelombang/seleksi/{run.pk}/?fragment=progress", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    page = client.get(f"/gelombang/seleksi/{run.pk}/").content.decode()
    assert 'id="run-progress"' not in page
    surabaya = re.search(r'<tr data-regency="3578">(.*?)</tr>', page, re.S)
    assert surabaya is not None
    cells = re.findall(r"<td>(.*?)</td>", surabaya.group(1))
    assert cells[:3] == ["2", "3", "2"]  # quota, eligible, selected
    assert "Ini hasil uji coba: belum diumumkan ke pendaftar." in page


@pytest.fixture
def ready_run(joined_wave: Wave, manager: User) -> SelectionRun:
    wave_close(actor=manager, wave=joined_wave)
    run = selection_run_create(actor=manager, wave=joined_wave, seed="benih-uji-2020")
    return selection_run_execute(run_id=run.pk)


def test_the_manager_who_started_the_run_sees_why_they_cannot_approve_it(
    manager: User, ready_run: SelectionRun
) -> None:
    client = _signed_in(manager)
    page = client.get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()
    assert 'id="four-eyes-note"' in page
    assert "Setujui hasil seleksi" not in page

    # Sending the approval anyway (an old tab, a crafted request) is refused with the reason.
    response = _post(client, f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert response.status_code == 400
    assert (
        'data-code="selection.same_approver">Hasil seleksi harus disetujui oleh pengelola '
        "program lain, bukan pembuatnya.</p>"
    ) in response.content.decode()
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY


def test_publishing_a_run_not_yet_approved_is_refused(
    second_manager: User, ready_run: SelectionRun
) -> None:
    response = _post(_signed_in(second_manager), f"/gelombang/seleksi/{ready_run.pk}/umumkan/")
    assert response.status_code == 400
    assert "Hasil seleksi belum disetujui pengelola program kedua" in response.content.decode()
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY


def test_a_second_manager_approves_then_publishes_and_the_announcement_is_queued(
    second_manager: User, ready_run: SelectionRun, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(second_manager)
    page = client.get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()
    assert "Setujui hasil seleksi" in page

    approved = _post(client, f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert approved.status_code == 302
    run = SelectionRun.objects.get(pk=ready_run.pk)
    assert (run.status, run.approved_by_id) == ("approved", second_manager.pk)

    with django_capture_on_commit_callbacks(execute=True):
        published = _post(client, f"/gelombang/seleksi/{ready_run.pk}/umumkan/")
    assert published.status_code == 302
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.PUBLISHED
    assert Wave.objects.get(pk=run.wave_id).status == Wave.Status.PUBLISHED
    job = DBTaskResult.objects.get(task_path__endswith="wave_results_announce_job")
    assert job.args_kwargs["kwargs"] == {"wave_id": run.wave_id}
    after = client.get(published["Location"]).content.decode()
    assert "Hasil seleksi diumumkan. SMS dan email dikirim lewat antrean." in after


def test_a_viewer_cannot_approve(viewer: User, ready_run: SelectionRun) -> None:
    response = _post(_signed_in(viewer), f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert response.status_code == 403
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY


# --- The applicant's status page -------------------------------------------------------------


def _status(registration: Registration) -> str:
    response = _signed_in(registration.user).get(f"/daftar/{registration.reference}/")
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
    wave = _open_wave(programme, manager, {SURABAYA: 1})
    (draft,) = registrations_make(programme, [Applicant(status="draft")])
    wave_close(actor=manager, wave=wave)

    page = _status(draft)

    assert 'data-result="waiting"' in page
    assert '<ul class="wave-missing"><li>Data diri</li>' in page
    assert "Lengkapi data yang masih kurang." in page


def test_an_applicant_joins_the_open_wave_with_the_button(
    manager: User, programme: Programme
) -> None:
    wave = _open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])
    client = _signed_in(registration.user)
    page = client.get(f"/daftar/{registration.reference}/").content.decode()
    assert "Ikut Gelombang 1" in page

    response = _post(client, f"/gelombang/ikut/{registration.reference}/", {"wave": str(wave.pk)})

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
    _open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])

    assert "Ikut Gelombang 1" not in _status(registration)


def test_an_applicant_cannot_join_someone_elses_registration(
    manager: User, programme: Programme, applicant: User
) -> None:
    wave = _open_wave(programme, manager, {SURABAYA: 1})
    (registration,) = registrations_make(programme, [Applicant()])

    response = _post(
        _signed_in(applicant), f"/gelombang/ikut/{registration.reference}/", {"wave": str(wave.pk)}
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
    client = _signed_in(manager)
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

    page = _signed_in(manager).get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()

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

    response = _post(_signed_in(manager), f"/gelombang/{wave.pk}/buka/")

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
    _post(_signed_in(manager), f"/gelombang/{joined_wave.pk}/seleksi/")

    response = _post(_signed_in(second_manager), f"/gelombang/{joined_wave.pk}/seleksi/")

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
    client = _signed_in(manager)

    refused = _post(client, f"/gelombang/{joined_wave.pk}/seleksi/", {"seed": "undian <2020>"})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert 'data-code="selection.seed_invalid">Benih undian 1–64 karakter' in content
    assert 'value="undian &lt;2020&gt;"' in content
    assert SelectionRun.objects.count() == 0

    started = _post(client, f"/gelombang/{joined_wave.pk}/seleksi/", {"seed": "undian-17-04-2020"})
    assert started.status_code == 302
    assert SelectionRun.objects.get().seed == "undian-17-04-2020"
