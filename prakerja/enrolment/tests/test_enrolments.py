"""Enrolling pays from the balance and takes a seat; every refusal says why and writes nothing;
cancelling before the start gives both back. The ledger always adds up to the balance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError
from prakerja.enrolment.models import Enrolment, LedgerEntry, Participant
from prakerja.enrolment.selectors import ledger_mismatches
from prakerja.enrolment.services.enrolments import (
    enrolment_cancel,
    enrolment_create,
    enrolment_quote,
)
from prakerja.enrolment.testing import make_batch, make_course, make_participant
from prakerja.training.models import Course, CourseBatch, Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant() -> Participant:
    return make_participant()


def _enrol(participant: Participant, batch: CourseBatch, **kwargs: Any) -> Enrolment:
    return enrolment_create(
        actor=participant.registration.user, participant=participant, batch=batch, **kwargs
    )


def _counts() -> tuple[int, int, int, list[int]]:
    return (
        Enrolment.objects.count(),
        LedgerEntry.objects.count(),
        Enrolment.history.count(),
        sorted(CourseBatch.objects.values_list("seats_taken", flat=True)),
    )


def _refused(call: Callable[[], Any]) -> ApplicationError:
    before = _counts()
    balances = sorted(Participant.objects.values_list("pk", "balance"))
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.status == 409
    # Nothing written: no enrolment, no ledger line, no seat, no balance change.
    assert _counts() == before
    assert sorted(Participant.objects.values_list("pk", "balance")) == balances
    return caught.value


def test_enrolling_takes_the_price_from_the_balance_and_one_seat(participant: Participant) -> None:
    batch = make_batch(seats=5, price=600_000)

    enrolment = _enrol(participant, batch)

    participant.refresh_from_db()
    batch.refresh_from_db()
    assert (enrolment.status, enrolment.price) == ("enrolled", 600_000)
    assert participant.balance == 400_000
    assert participant.first_enrolled_at is not None
    assert batch.seats_taken == 1
    ledger = list(participant.ledger.order_by("pk").values_list("reason", "amount", "enrolment"))
    assert ledger == [("grant", 1_000_000, None), ("enrol", -600_000, enrolment.pk)]
    assert ledger_mismatches() == []


def test_enrolling_leaves_history_rows_naming_the_participant(participant: Participant) -> None:
    batch = make_batch(price=250_000)
    user = participant.registration.user

    enrolment = _enrol(participant, batch)

    last_participant = participant.history.order_by("-history_id").first()
    assert (last_participant.balance, last_participant.history_user_id) == (750_000, user.pk)
    assert last_participant.history_change_reason == "membeli pelatihan"
    last_batch = batch.history.order_by("-history_id").first()
    assert (last_batch.seats_taken, last_batch.history_user_id) == (1, user.pk)
    assert enrolment.history.get().history_user_id == user.pk


def test_the_quote_shows_the_balance_before_and_after(participant: Participant) -> None:
    batch = make_batch(price=350_000)
    quote = enrolment_quote(
        actor=participant.registration.user, participant=participant, batch=batch
    )
    assert (quote.price, quote.balance_before, quote.balance_after) == (
        350_000,
        1_000_000,
        650_000,
    )


def test_too_little_balance_is_refused_with_both_amounts(participant: Participant) -> None:
    _enrol(participant, make_batch(price=700_000))
    participant.refresh_from_db()

    batch = make_batch(price=400_000)
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.balance_too_low"
    assert str(error.message) == (
        "Saldo pelatihan Anda Rp 300.000, tidak cukup untuk harga pelatihan ini Rp 400.000."
    )


def test_a_full_batch_is_refused(participant: Participant) -> None:
    batch = make_batch(seats=3, seats_taken=3)
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.batch_full"
    assert str(error.message) == "Kursi angkatan ini sudah penuh (3 kursi). Pilih angkatan lain."


def test_a_started_batch_is_refused(participant: Participant) -> None:
    batch = make_batch(starts_in_days=0)
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.batch_started"
    assert str(error.message).startswith("Angkatan ini sudah dimulai pada ")


@pytest.mark.parametrize("status", [Course.Status.DRAFT, Course.Status.SUBMITTED, "returned"])
def test_a_course_not_published_is_refused(participant: Participant, status: str) -> None:
    batch = make_batch(course=make_course(status=status))
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.course_not_published"
    assert str(error.message) == (
        "Pelatihan ini belum terbit di katalog, sehingga belum dapat didaftari."
    )


def test_a_course_of_a_provider_no_longer_verified_is_refused(participant: Participant) -> None:
    batch = make_batch()
    Provider.objects.filter(pk=batch.course.provider_id).update(status="changes_requested")
    batch = CourseBatch.objects.select_related("course__provider").get(pk=batch.pk)
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.provider_not_verified"


def test_a_revoked_participant_is_refused(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(status="revoked", balance=0)
    participant.refresh_from_db()
    batch = make_batch()
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.participant_revoked"


def test_enrolling_after_the_deadline_without_a_first_training_is_refused(
    participant: Participant,
) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        enrol_by=timezone.now() - timedelta(minutes=1)
    )
    participant.refresh_from_db()
    batch = make_batch()
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.deadline_passed"


def test_enrolling_twice_in_one_batch_is_refused(participant: Participant) -> None:
    batch = make_batch(price=100_000)
    _enrol(participant, batch)
    participant.refresh_from_db()
    error = _refused(lambda: _enrol(participant, batch))
    assert error.code == "enrolment.already_enrolled"
    assert str(error.message) == "Anda sudah terdaftar di angkatan pelatihan ini."


def test_a_changed_price_is_refused_with_the_new_one(participant: Participant) -> None:
    batch = make_batch(price=500_000)
    error = _refused(lambda: _enrol(participant, batch, price=450_000))
    assert error.code == "enrolment.price_changed"
    assert "Rp 500.000" in str(error.message)


def test_someone_else_cannot_enrol_a_participant(participant: Participant) -> None:
    outsider = make_user(role=Role.APPLICANT)
    with pytest.raises(ApplicationError) as caught:
        enrolment_create(actor=outsider, participant=participant, batch=make_batch())
    assert caught.value.status == 403
    assert Enrolment.objects.count() == 0


def test_the_conditional_updates_refuse_even_when_the_checks_before_them_passed(
    participant: Participant,
) -> None:
    """The race: the batch filled up between the read and the write."""
    batch = make_batch(seats=1)
    stale = CourseBatch.objects.select_related("course__provider").get(pk=batch.pk)
    CourseBatch.objects.filter(pk=batch.pk).update(seats_taken=1)

    error = _refused(lambda: _enrol(participant, stale))
    assert error.code == "enrolment.batch_full"
    participant.refresh_from_db()
    assert participant.balance == 1_000_000 and participant.first_enrolled_at is None


def test_cancelling_before_the_start_gives_the_seat_and_the_price_back(
    participant: Participant,
) -> None:
    batch = make_batch(seats=2, price=600_000)
    enrolment = _enrol(participant, batch)

    cancelled = enrolment_cancel(actor=participant.registration.user, enrolment=enrolment)

    participant.refresh_from_db()
    batch.refresh_from_db()
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert participant.balance == 1_000_000
    assert batch.seats_taken == 0
    assert list(participant.ledger.order_by("pk").values_list("reason", "amount")) == [
        ("grant", 1_000_000),
        ("enrol", -600_000),
        ("cancel", 600_000),
    ]
    assert ledger_mismatches() == []
    # The same batch can be enrolled in again after a cancellation.
    participant.refresh_from_db()
    _enrol(participant, batch)


def test_cancelling_after_the_start_or_twice_is_refused(participant: Participant) -> None:
    batch = make_batch(price=200_000)
    enrolment = _enrol(participant, batch)
    enrolment_cancel(actor=participant.registration.user, enrolment=enrolment)
    error = _refused(
        lambda: enrolment_cancel(actor=participant.registration.user, enrolment=enrolment)
    )
    assert error.code == "enrolment.not_cancellable"

    participant.refresh_from_db()
    other = _enrol(participant, make_batch(price=200_000))
    CourseBatch.objects.filter(pk=other.batch_id).update(
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=3)
    )
    other = Enrolment.objects.select_related("batch", "participant__registration").get(pk=other.pk)
    error = _refused(lambda: enrolment_cancel(actor=participant.registration.user, enrolment=other))
    assert error.code == "enrolment.cancel_too_late"


def test_a_reconciliation_finds_a_balance_that_does_not_match_its_ledger(
    participant: Participant,
) -> None:
    _enrol(participant, make_batch(price=100_000))
    assert ledger_mismatches() == []
    Participant.objects.filter(pk=participant.pk).update(balance=950_000)

    (mismatch,) = ledger_mismatches()
    assert (mismatch.participant_id, mismatch.balance, mismatch.ledger_sum) == (
        participant.pk,
        950_000,
        900_000,
    )
