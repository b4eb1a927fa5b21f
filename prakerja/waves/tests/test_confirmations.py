"""Closing, approving and publishing ask first, with numbers; the approver may refuse with a
comment and is warned of a result that selects nobody or moved sharply (issue 16, item 15)."""

from __future__ import annotations

import pytest

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.waves.errors import WavesError
from prakerja.waves.models import SelectionResult, SelectionRun, Wave
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_reject,
    wave_close,
)
from prakerja.waves.tests.views_support import post_form, signed_in

pytestmark = pytest.mark.django_db


def test_closing_a_wave_shows_how_many_take_part_before_it_is_done(
    manager: User, joined_wave: Wave
) -> None:
    client = signed_in(manager)
    detail = client.get(f"/gelombang/{joined_wave.pk}/").content.decode()
    assert f'href="/gelombang/{joined_wave.pk}/tutup/konfirmasi/"' in detail

    page = client.get(f"/gelombang/{joined_wave.pk}/tutup/konfirmasi/").content.decode()

    assert "tidak dapat dibatalkan" in page
    assert "<strong>5</strong> orang" in page
    joined_wave.refresh_from_db()
    assert joined_wave.status == Wave.Status.OPEN  # looking changes nothing
    response = post_form(client, f"/gelombang/{joined_wave.pk}/tutup/")
    assert response.status_code == 302
    joined_wave.refresh_from_db()
    assert joined_wave.status == Wave.Status.CLOSED


def test_the_approver_sees_the_numbers_and_approves(
    second_manager: User, ready_run: SelectionRun
) -> None:
    client = signed_in(second_manager)
    page = client.get(f"/gelombang/seleksi/{ready_run.pk}/setujui/konfirmasi/").content.decode()
    selected = SelectionResult.objects.filter(run=ready_run, selected=True).count()
    assert selected == 3
    assert f"Ya, setujui ({selected} orang terpilih)" in page
    assert "review-warning" not in page

    assert post_form(client, f"/gelombang/seleksi/{ready_run.pk}/setujui/").status_code == 302
    ready_run.refresh_from_db()
    assert ready_run.status == SelectionRun.Status.APPROVED


def test_publishing_says_how_many_people_receive_an_sms(
    second_manager: User, ready_run: SelectionRun
) -> None:
    selection_run_approve(actor=second_manager, run=ready_run)
    page = (
        signed_in(second_manager)
        .get(f"/gelombang/seleksi/{ready_run.pk}/umumkan/konfirmasi/")
        .content.decode()
    )
    assert "5 orang akan menerima SMS" in page
    assert "2 orang yang tidak terpilih dipindahkan" in page
    ready_run.refresh_from_db()
    assert ready_run.status == SelectionRun.Status.APPROVED


def test_the_approver_rejects_with_a_comment_and_the_wave_can_run_again(
    manager: User, second_manager: User, ready_run: SelectionRun
) -> None:
    client = signed_in(second_manager)
    url = f"/gelombang/seleksi/{ready_run.pk}/tolak/"

    empty = post_form(client, url, {"comment": "   "})
    assert empty.status_code == 400
    assert "Tulis alasan penolakan" in empty.content.decode()
    assert 'href="#id_comment"' in empty.content.decode()
    ready_run.refresh_from_db()
    assert ready_run.status == SelectionRun.Status.READY

    done = post_form(client, url, {"comment": "Kuota Malang salah ketik, mohon diulang."})
    assert done.status_code == 302
    ready_run.refresh_from_db()
    assert ready_run.status == SelectionRun.Status.REJECTED
    assert ready_run.rejected_by == second_manager
    assert ready_run.history.first().history_change_reason == "hasil seleksi ditolak"
    detail = signed_in(manager).get(f"/gelombang/seleksi/{ready_run.pk}/").content.decode()
    assert "Kuota Malang salah ketik" in detail
    again = selection_run_create(actor=manager, wave=ready_run.wave, seed="benih-kedua")
    assert again.status == SelectionRun.Status.QUEUED


def test_the_creator_can_neither_approve_nor_reject_their_own_run(
    manager: User, ready_run: SelectionRun
) -> None:
    page = (
        signed_in(manager)
        .get(f"/gelombang/seleksi/{ready_run.pk}/setujui/konfirmasi/")
        .content.decode()
    )
    assert "four-eyes-note" in page
    assert "Tolak hasil uji coba" not in page
    with pytest.raises(ApplicationError) as refused:
        selection_run_reject(actor=manager, run=ready_run, comment="sendiri")
    assert refused.value.code == WavesError.SELECTION_SAME_APPROVER


def test_a_run_selecting_nobody_or_far_from_the_previous_one_is_flagged(
    manager: User, second_manager: User, joined_wave: Wave
) -> None:
    wave_close(actor=manager, wave=joined_wave)
    first = selection_run_execute(
        run_id=selection_run_create(actor=manager, wave=joined_wave, seed="satu").pk
    )
    selection_run_reject(actor=second_manager, run=first, comment="ulang")
    second = selection_run_execute(
        run_id=selection_run_create(actor=manager, wave=joined_wave, seed="dua").pk
    )
    # The second run's result, made to select nobody (as a broken input would).
    SelectionResult.objects.filter(run=second).update(selected=False)

    page = (
        signed_in(second_manager)
        .get(f"/gelombang/seleksi/{second.pk}/setujui/konfirmasi/")
        .content.decode()
    )

    assert "Tidak ada satu pun pendaftar yang terpilih" in page
    assert f"berbeda jauh dari uji coba sebelumnya (#{first.pk}: 3 orang, sekarang 0 orang)" in page
