"""Past the deadline without a training, a participant loses the place; the next on the
regency's waiting list gets it, in the order the selection computed; both are texted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prakerja.core.errors import ApplicationError
from prakerja.enrolment.models import LedgerEntry, Notice, Participant, Promotion
from prakerja.enrolment.selectors import ledger_mismatches
from prakerja.enrolment.services.enrolments import enrolment_cancel, enrolment_create
from prakerja.enrolment.services.notices import notices_send
from prakerja.enrolment.services.revocation import participants_revoke_overdue
from prakerja.enrolment.tasks import participants_revoke_overdue_periodic
from prakerja.enrolment.testing import Selection, make_batch, published_selection
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration
from prakerja.waves.models import JoinBlock, SelectionResult, Wave, WaveEntry
from prakerja.waves.selectors import applicant_result
from prakerja.waves.services import wave_join

pytestmark = pytest.mark.django_db


def _overdue(*participants: Participant) -> None:
    Participant.objects.filter(pk__in=[p.pk for p in participants]).update(
        enrol_by=timezone.now() - timedelta(hours=1)
    )


def _waiting_list(selection: Selection, regency: str = "3578") -> list[int]:
    """Registration ids of the regency's waiting list, in the run's order."""
    return list(
        SelectionResult.objects.filter(
            run=selection.run, regency_id=regency, selected=False, reason_code="quota_full"
        )
        .order_by("rank_in_regency", "registration_id")
        .values_list("registration_id", flat=True)
    )


@pytest.fixture
def selection() -> Selection:
    """Surabaya: 2 places, 5 applicants (3 on the waiting list); Malang: 1 place, 1 applicant."""
    return published_selection(quotas={"3578": 2, "3573": 1}, applicants={"3578": 5, "3573": 1})


def test_an_overdue_participant_is_revoked_and_the_next_on_the_waiting_list_promoted(
    selection: Selection,
) -> None:
    late, on_time, malang = sorted(
        selection.participants(), key=lambda p: (p.regency_id != "3578", p.pk)
    )
    enrolment_create(
        actor=on_time.registration.user, participant=on_time, batch=make_batch(price=100_000)
    )
    _overdue(late, on_time)
    next_in_line = _waiting_list(selection)[0]

    summary = participants_revoke_overdue()

    assert (summary.revoked, summary.promoted, summary.unfilled) == (1, 1, 0)
    late.refresh_from_db()
    assert (late.status, late.balance, late.revoked_at) == ("revoked", 0, summary.at)
    assert list(late.ledger.order_by("pk").values_list("reason", "amount")) == [
        ("grant", 1_000_000),
        ("revoke", -1_000_000),
    ]
    assert WaveEntry.objects.get(pk=late.wave_entry_id).status == "revoked"
    block = JoinBlock.objects.get(registration_id=late.registration_id)
    assert block.until == summary.at + timedelta(days=365)
    # The one who enrolled in time, and Malang's, keep their places.
    on_time.refresh_from_db()
    malang.refresh_from_db()
    assert on_time.status == malang.status == "active"

    promoted = Participant.objects.get(promoted_from_waiting=True)
    assert promoted.registration_id == next_in_line
    assert (promoted.status, promoted.balance, promoted.regency_id) == ("active", 1_000_000, "3578")
    assert promoted.enrol_by == summary.at + timedelta(days=30)
    assert WaveEntry.objects.get(pk=promoted.wave_entry_id).status == "selected"
    promotion = Promotion.objects.get()
    assert (promotion.run_id, promotion.regency_id, promotion.replaces_id) == (
        selection.run.pk,
        "3578",
        late.pk,
    )
    assert promotion.rank_in_regency == 3
    assert promotion.wave_entry.participant == promoted
    assert ledger_mismatches() == []


def test_every_change_of_the_job_has_its_history_row(selection: Selection) -> None:
    late = selection.participants()[0]
    _overdue(late)

    participants_revoke_overdue()

    reason = "batas waktu membeli pelatihan lewat: kepesertaan dicabut"
    assert late.history.order_by("-history_id").first().history_change_reason == reason
    assert (
        WaveEntry.history.filter(id=late.wave_entry_id).order_by("-history_id").first().status
        == "revoked"
    )
    assert JoinBlock.history.count() == 1
    assert Promotion.history.count() == 1
    promoted = Participant.objects.get(promoted_from_waiting=True)
    assert promoted.history.get().history_change_reason == "dipromosikan dari daftar tunggu"


def test_places_are_filled_in_the_order_of_the_selection(selection: Selection) -> None:
    surabaya = [p for p in selection.participants() if p.regency_id == "3578"]
    _overdue(*surabaya)
    order = _waiting_list(selection)

    summary = participants_revoke_overdue()

    assert (summary.revoked, summary.promoted) == (2, 2)
    promoted = Promotion.objects.order_by("rank_in_regency")
    assert [p.wave_entry.registration_id for p in promoted] == order[:2]
    assert [p.rank_in_regency for p in promoted] == [3, 4]


def test_a_regency_whose_waiting_list_ran_out_leaves_the_place_unfilled(
    selection: Selection,
) -> None:
    malang = next(p for p in selection.participants() if p.regency_id == "3573")
    _overdue(malang)

    summary = participants_revoke_overdue()

    assert (summary.revoked, summary.promoted, summary.unfilled) == (1, 0, 1)
    assert Promotion.objects.count() == 0


def test_the_waiting_list_skips_who_is_blocked_or_already_in_a_later_closed_wave(
    selection: Selection,
) -> None:
    late = selection.participants()[0]
    first, second, third = _waiting_list(selection)
    JoinBlock.objects.create(
        registration_id=first,
        wave=selection.wave,
        until=timezone.now() + timedelta(days=3),
        reason="uji",
        created_at=timezone.now(),
    )
    later = Wave.objects.create(
        programme=selection.wave.programme,
        number=selection.wave.number + 1,
        name="Gelombang berikut",
        opens_at=timezone.now() - timedelta(days=3),
        closes_at=timezone.now() - timedelta(days=1),
        total_quota=10,
        status=Wave.Status.CLOSED,
    )
    WaveEntry.objects.create(wave=later, registration_id=second)
    _overdue(late)

    participants_revoke_overdue()

    assert Promotion.objects.get().wave_entry.registration_id == third


def test_the_promoted_leave_the_next_wave_they_were_carried_into() -> None:
    # The next wave exists (open) when the results are published: the waiting list is
    # carried into it as joined entries.
    from prakerja.enrolment.testing import applicants_make, closed_wave_with, publish
    from prakerja.registry.services.programme import programme_default

    programme = programme_default()
    registrations = applicants_make(programme, "3578", 3)
    wave = closed_wave_with(programme, {"3578": 1}, registrations)
    next_wave = Wave.objects.create(
        programme=programme,
        number=wave.number + 1,
        name="Gelombang 2",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=5),
        total_quota=10,
        status=Wave.Status.OPEN,
    )
    publish(wave)
    assert WaveEntry.objects.filter(wave=next_wave).count() == 2
    (late,) = Participant.objects.filter(wave=wave)
    _overdue(late)

    participants_revoke_overdue()

    promoted = Participant.objects.get(promoted_from_waiting=True)
    assert WaveEntry.objects.get(pk=promoted.wave_entry_id).status == "selected"
    assert list(
        WaveEntry.objects.filter(wave=next_wave).values_list("registration_id", flat=True)
    ) == [
        r.pk for r in registrations if r.pk not in (late.registration_id, promoted.registration_id)
    ]
    withdrawn = WaveEntry.history.filter(history_type="-").get()
    assert (withdrawn.wave_id, withdrawn.registration_id) == (
        next_wave.pk,
        promoted.registration_id,
    )


def test_a_participant_who_enrolled_in_time_keeps_the_place_after_cancelling(
    selection: Selection,
) -> None:
    participant = selection.participants()[0]
    user = participant.registration.user
    enrolment = enrolment_create(actor=user, participant=participant, batch=make_batch())
    enrolment_cancel(actor=user, enrolment=enrolment)
    _overdue(participant)

    assert participants_revoke_overdue().revoked == 0


def test_running_the_job_again_changes_nothing(selection: Selection) -> None:
    _overdue(selection.participants()[0])
    participants_revoke_overdue()
    counts = (Participant.objects.count(), LedgerEntry.objects.count(), Notice.objects.count())

    again = participants_revoke_overdue()

    assert (again.revoked, again.promoted) == (0, 0)
    assert counts == (
        Participant.objects.count(),
        LedgerEntry.objects.count(),
        Notice.objects.count(),
    )


def test_the_job_is_set_based_whatever_the_number_revoked() -> None:
    def statements(n: int) -> int:
        selection = published_selection(quotas={"3578": n}, applicants={"3578": 2 * n})
        _overdue(*selection.participants())
        with CaptureQueriesContext(connection) as queries:
            summary = participants_revoke_overdue()
        assert (summary.revoked, summary.promoted) == (n, n)
        return len(queries)

    assert statements(1) == statements(12)


def test_revoked_and_promoted_are_texted_once_after_the_job(selection: Selection) -> None:
    late = selection.participants()[0]
    _overdue(late)

    participants_revoke_overdue()
    assert OutboxMessage.objects.count() == 0  # owed, sent by the notices job
    assert DBTaskResult.objects.filter(task_path__endswith="notices_send_job").count() == 1

    summary = notices_send()
    again = notices_send()

    assert (summary.claimed, summary.sent, summary.failed) == (2, 2, 0)
    assert again.claimed == 0
    promoted = Participant.objects.get(promoted_from_waiting=True)
    revoked_sms = OutboxMessage.objects.get(recipient=str(late.registration.phone)).body
    assert revoked_sms.startswith(
        f"Kepesertaan Kartu Prakerja Jatim Anda (No. {late.registration.reference}) dicabut "
        "karena belum membeli pelatihan sampai "
    )
    assert "Anda dapat ikut gelombang lagi mulai " in revoked_sms
    promoted_sms = OutboxMessage.objects.get(recipient=str(promoted.registration.phone)).body
    assert promoted_sms.startswith(
        "Selamat, Anda TERPILIH dari daftar tunggu sebagai peserta Kartu Prakerja Jatim "
    )
    assert "Saldo pelatihan Rp 1.000.000" in promoted_sms
    assert max(len(revoked_sms), len(promoted_sms)) <= 306
    assert Notice.objects.filter(sent_at__isnull=False).count() == 2


def test_a_revoked_applicant_cannot_join_a_wave_until_the_block_ends(selection: Selection) -> None:
    late = selection.participants()[0]
    _overdue(late)
    participants_revoke_overdue()
    open_wave = Wave.objects.create(
        programme=selection.wave.programme,
        number=selection.wave.number + 1,
        name="Gelombang 2",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=5),
        total_quota=10,
        status=Wave.Status.OPEN,
    )
    registration = Registration.objects.get(pk=late.registration_id)

    with pytest.raises(ApplicationError) as caught:
        wave_join(actor=registration.user, wave=open_wave, registration=registration)
    assert caught.value.code == "waves.join_blocked" and caught.value.status == 409
    assert str(caught.value.message).startswith(
        "Kepesertaan Anda di gelombang sebelumnya dicabut karena tidak membeli pelatihan "
        "sampai batas waktu. Anda dapat ikut gelombang lagi mulai "
    )
    result = applicant_result(registration=registration)
    assert result.result == "revoked" and result.blocked_until is not None

    JoinBlock.objects.update(until=timezone.now() - timedelta(seconds=1))
    entry = wave_join(actor=registration.user, wave=open_wave, registration=registration)
    assert entry.status == "joined"


def test_the_promoted_applicant_sees_why_they_were_selected(selection: Selection) -> None:
    _overdue(selection.participants()[0])
    participants_revoke_overdue()
    promoted = Participant.objects.get(promoted_from_waiting=True)

    result = applicant_result(registration=promoted.registration)
    assert result.result == "selected" and result.reason_code == "promoted"


def test_the_daily_task_runs_the_job_under_its_lease(selection: Selection) -> None:
    _overdue(selection.participants()[0])
    outcome = participants_revoke_overdue_periodic.call(period=timezone.now().isoformat())
    assert outcome == {"revoked": 1, "promoted": 1, "unfilled": 0}
