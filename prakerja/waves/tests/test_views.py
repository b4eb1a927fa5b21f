"""The manager's wave pages and the applicant's result, through HTTP with real sign-ins.

Personas: Fajar (``manager``) creates waves and starts runs; Gita (``second_manager``) approves
and publishes; the applicant, an officer, a data officer and a viewer may not manage waves.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.registry.models import Programme
from prakerja.waves.models import (
    RegencyQuota,
    SelectionRun,
    Wave,
)
from prakerja.waves.services import (
    selection_run_execute,
)
from prakerja.waves.tests.population import Applicant
from prakerja.waves.tests.views_support import (
    MALANG,
    SURABAYA,
    open_wave,
    post_form,
    registrations_make,
    signed_in,
    wave_form,
)

pytestmark = pytest.mark.django_db


# --- Permissions ----------------------------------------------------------------------------


def test_a_manager_sees_the_waves_of_the_programme(manager: User, programme: Programme) -> None:
    open_wave(programme, manager, {SURABAYA: 3})
    response = signed_in(manager).get("/gelombang/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Gelombang 1" in content
    assert 'data-status="open"' in content


def test_quotas_are_written_with_indonesian_thousands_separators(
    manager: User, programme: Programme
) -> None:
    open_wave(programme, manager, {SURABAYA: 543_000})
    content = signed_in(manager).get("/gelombang/").content.decode()
    assert "<td>543.000</td>" in content
    assert "543000" not in content


@pytest.mark.parametrize(
    "persona",
    ["applicant", "officer", "province_data_officer", "viewer", "callcentre_agent"],
)
def test_other_roles_may_not_open_the_wave_pages(
    persona: str, request: pytest.FixtureRequest, manager: User, programme: Programme
) -> None:
    wave = open_wave(programme, manager, {SURABAYA: 3})
    client = signed_in(request.getfixturevalue(persona))
    for url in ("/gelombang/", "/gelombang/baru/", f"/gelombang/{wave.pk}/"):
        assert client.get(url).status_code == 403, url
    assert post_form(client, f"/gelombang/{wave.pk}/tutup/").status_code == 403
    assert Wave.objects.get(pk=wave.pk).status == Wave.Status.OPEN


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/gelombang/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Creating a wave ------------------------------------------------------------------------


def test_a_manager_creates_a_wave_with_per_regency_quotas(
    manager: User, programme: Programme
) -> None:
    client = signed_in(manager)
    page = client.get("/gelombang/baru/")
    assert page.status_code == 200
    # One input per East Java regency (38), with its label.
    assert page.content.decode().count('class="quota-input"') == 38

    response = post_form(client, "/gelombang/baru/", wave_form(1000, {SURABAYA: 600, MALANG: 400}))

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
    client = signed_in(manager)
    form = wave_form(1000, {SURABAYA: 600, MALANG: 300}, name="Gelombang Uji")

    response = post_form(client, "/gelombang/baru/", form)

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
    response = post_form(
        signed_in(manager), "/gelombang/baru/", wave_form(10, {SURABAYA: "sepuluh"})
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert f'id="quota_{SURABAYA}-error" class="field-error">Kuota harus berupa bilangan' in content
    assert 'value="sepuluh"' in content
    assert Wave.objects.count() == 0


def test_a_wave_overlapping_another_is_refused_at_its_opening_time(
    manager: User, programme: Programme
) -> None:
    open_wave(programme, manager, {SURABAYA: 5})
    response = post_form(signed_in(manager), "/gelombang/baru/", wave_form(5, {SURABAYA: 5}))

    assert response.status_code == 422
    content = response.content.decode()
    assert 'id="opens_at-error" class="field-error">Jadwal bertumpuk dengan Gelombang 1' in content
    assert Wave.objects.count() == 1


def test_the_form_sent_twice_creates_one_wave(manager: User, programme: Programme) -> None:
    client = signed_in(manager)
    data = {"submission_token": str(uuid.uuid4()), **wave_form(5, {SURABAYA: 5})}

    first = client.post("/gelombang/baru/", data)
    second = client.post("/gelombang/baru/", data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Wave.objects.count() == 1


def test_allocate_automatically_splits_the_total_with_the_allocation_service(
    manager: User, programme: Programme
) -> None:
    registrations_make(programme, [Applicant(regency=SURABAYA)] * 3 + [Applicant(regency=MALANG)])
    client = signed_in(manager)
    form = wave_form(380, {}, action="allocate")

    response = post_form(client, "/gelombang/baru/", form)

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
    wave = open_wave(programme, manager, {SURABAYA: 5})
    client = signed_in(manager)

    refused = post_form(
        client, f"/gelombang/{wave.pk}/kuota/", {"quota_3578": "3", "quota_3573": "1"}
    )
    saved = post_form(
        client, f"/gelombang/{wave.pk}/kuota/", {"quota_3578": "3", "quota_3573": "2"}
    )

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
    client = signed_in(manager)
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


def test_a_manager_closes_the_wave_and_starts_a_dry_run_with_the_seed_shown_first(
    manager: User, joined_wave: Wave, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(manager)
    closed = post_form(client, f"/gelombang/{joined_wave.pk}/tutup/")
    assert closed.status_code == 302
    assert Wave.objects.get(pk=joined_wave.pk).status == Wave.Status.CLOSED

    with django_capture_on_commit_callbacks(execute=True):
        started = post_form(client, f"/gelombang/{joined_wave.pk}/seleksi/")
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


def test_the_manager_who_started_the_run_sees_why_they_cannot_approve_it(
    manager: User, ready_run: SelectionRun
) -> None:
    client = signed_in(manager)
    page = client.get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()
    assert 'id="four-eyes-note"' in page
    assert "Setujui hasil seleksi" not in page

    # Sending the approval anyway (an old tab, a crafted request) is refused with the reason.
    response = post_form(client, f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert response.status_code == 400
    assert (
        'data-code="selection.same_approver">Hasil seleksi harus disetujui oleh pengelola '
        "program lain, bukan pembuatnya.</p>"
    ) in response.content.decode()
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY


def test_publishing_a_run_not_yet_approved_is_refused(
    second_manager: User, ready_run: SelectionRun
) -> None:
    response = post_form(signed_in(second_manager), f"/gelombang/seleksi/{ready_run.pk}/umumkan/")
    assert response.status_code == 400
    assert "Hasil seleksi belum disetujui pengelola program kedua" in response.content.decode()
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY


def test_a_second_manager_approves_then_publishes_and_the_announcement_is_queued(
    second_manager: User, ready_run: SelectionRun, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(second_manager)
    page = client.get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()
    assert "Tinjau dan setujui atau tolak" in page

    approved = post_form(client, f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert approved.status_code == 302
    run = SelectionRun.objects.get(pk=ready_run.pk)
    assert (run.status, run.approved_by_id) == ("approved", second_manager.pk)

    with django_capture_on_commit_callbacks(execute=True):
        published = post_form(client, f"/gelombang/seleksi/{ready_run.pk}/umumkan/")
    assert published.status_code == 302
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.PUBLISHED
    assert Wave.objects.get(pk=run.wave_id).status == Wave.Status.PUBLISHED
    job = DBTaskResult.objects.get(task_path__endswith="wave_results_announce_job")
    assert job.args_kwargs["kwargs"] == {"wave_id": run.wave_id}
    after = client.get(published["Location"]).content.decode()
    assert "Hasil seleksi diumumkan. SMS dan email dikirim lewat antrean." in after


def test_a_viewer_cannot_approve(viewer: User, ready_run: SelectionRun) -> None:
    response = post_form(signed_in(viewer), f"/gelombang/seleksi/{ready_run.pk}/setujui/")
    assert response.status_code == 403
    assert SelectionRun.objects.get(pk=ready_run.pk).status == SelectionRun.Status.READY
