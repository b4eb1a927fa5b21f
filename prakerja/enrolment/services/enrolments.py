"""Enrolling in a course batch and cancelling, paid from the training balance.

Never oversold, never overspent, and no lock taken before writing: two conditional updates,
each re-checked by the database on the row it changes,

    UPDATE participant SET balance = balance - price
     WHERE id = %s AND balance >= price AND status = 'active' AND <deadline not passed>
    UPDATE course_batch SET seats_taken = seats_taken + 1
     WHERE id = %s AND seats_taken < seats AND starts_on > today AND <course published,
           provider verified, price unchanged>

in one transaction with the ``Enrolment`` row and its DEBIT ledger entry. The participant's
row is changed first (nobody else competes for it); the batch row, which hundreds may want at
once, is changed *last*, so its row lock is held only from that statement to the commit:
competing enrolments queue on the one hot row for a statement and a commit, not for the whole
enrolment. A refusal (either update changing no row, or the unique live enrolment per batch)
rolls the whole transaction back and raises an ``ApplicationError`` with the specific reason,
found by reading the rows again: nothing is written.

The same rules are checked once by reading before writing, so an ordinary refusal costs no
write at all; the conditional updates are what make them hold under a race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.core.money import rupiah
from prakerja.enrolment.errors import EnrolmentError
from prakerja.enrolment.models import Enrolment, LedgerEntry, Participant
from prakerja.enrolment.sql import (
    COURSE_TABLE,
    PROVIDER_TABLE,
    conditional_update,
    db_datetime,
    literal,
)
from prakerja.training.models import Course, CourseBatch, Provider

CONFLICT = 409

# Over the participant's own columns (``enrolment.sql.conditional_update``).
_DEBIT_SET = "balance = balance - %s, first_enrolled_at = COALESCE(first_enrolled_at, %s)"
_DEBIT_WHEN = (
    f"balance >= %s AND status = {literal(Participant.Status.ACTIVE)} "
    "AND (first_enrolled_at IS NOT NULL OR enrol_by > %s)"
)
_CREDIT_SET = "balance = balance + %s"
# Over the batch's columns; its course and provider by subquery (they change rarely, and a
# course withdrawn or a provider suspended while a request is in flight must still refuse).
_SEAT_TAKE_SET = "seats_taken = seats_taken + 1"
_SEAT_TAKE_WHEN = f"""seats_taken < seats AND starts_on > %s AND EXISTS (
    SELECT 1 FROM {COURSE_TABLE} c JOIN {PROVIDER_TABLE} v ON v.id = c.provider_id
    WHERE c.id = course_id AND c.price = %s
      AND c.status = {literal(Course.Status.PUBLISHED)}
      AND v.status = {literal(Provider.Status.VERIFIED)})"""  # noqa: S608 - names from _meta
_SEAT_FREE_SET = "seats_taken = seats_taken - 1"
_SEAT_FREE_WHEN = "seats_taken > 0 AND starts_on > %s"
_CANCEL_SET = "status = %s, cancelled_at = %s"
_CANCEL_WHEN = f"status = {literal(Enrolment.Status.ENROLLED)}"


def _refused(code: EnrolmentError, message: Any) -> ApplicationError:
    return ApplicationError(code, message, status=CONFLICT)


def _require_owner(actor: Actor | None, participant: Participant) -> None:
    """Only the participant themself enrols or cancels (their balance, their choice)."""
    if actor_role(actor) is None or getattr(actor, "pk", None) != _owner_id(participant):
        raise PermissionDenied(EnrolmentError.FORBIDDEN, _("Anda tidak berhak mengakses data ini."))


def _user(actor: Actor | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _owner_id(participant: Participant) -> int:
    return int(
        participant.registration.user_id  # registration is loaded with the participant
    )


def _day(value: date) -> str:
    return date_format(value, "j F Y")


# --- Checks, with the message each refusal shows ---------------------------------------------


def participant_refusal(
    participant: Participant, *, price: int, now: datetime
) -> ApplicationError | None:
    """Why ``participant`` cannot pay ``price`` now; None if they can."""
    if participant.status != Participant.Status.ACTIVE:
        return _refused(
            EnrolmentError.PARTICIPANT_REVOKED,
            _(
                "Kepesertaan Anda sudah dicabut karena tidak membeli pelatihan sampai batas "
                "waktu, sehingga tidak dapat mendaftar pelatihan."
            ),
        )
    if participant.first_enrolled_at is None and participant.enrol_by <= now:
        return _refused(
            EnrolmentError.DEADLINE_PASSED,
            _(
                "Batas waktu membeli pelatihan pertama (%(date)s) sudah lewat, sehingga "
                "pendaftaran pelatihan tidak dapat diterima."
            )
            % {"date": _day(timezone.localdate(participant.enrol_by))},
        )
    if participant.balance < price:
        return _refused(
            EnrolmentError.BALANCE_TOO_LOW,
            _("Saldo pelatihan Anda %(balance)s, tidak cukup untuk harga pelatihan ini %(price)s.")
            % {"balance": rupiah(participant.balance), "price": rupiah(price)},
        )
    return None


def batch_refusal(batch: CourseBatch, *, today: date, price: int | None) -> ApplicationError | None:
    """Why nobody can enrol in ``batch`` today (at ``price``, when given); None if one can."""
    course = batch.course
    if course.status != Course.Status.PUBLISHED:
        return _refused(
            EnrolmentError.COURSE_NOT_PUBLISHED,
            _("Pelatihan ini belum terbit di katalog, sehingga belum dapat didaftari."),
        )
    if course.provider.status != Provider.Status.VERIFIED:
        return _refused(
            EnrolmentError.PROVIDER_NOT_VERIFIED,
            _(
                "Lembaga penyelenggara pelatihan ini belum atau tidak lagi terverifikasi, "
                "sehingga pelatihannya tidak dapat didaftari."
            ),
        )
    if batch.starts_on <= today:
        return _refused(
            EnrolmentError.BATCH_STARTED,
            _("Angkatan ini sudah dimulai pada %(date)s. Pilih angkatan lain.")
            % {"date": _day(batch.starts_on)},
        )
    if batch.seats_taken >= batch.seats:
        return _refused(
            EnrolmentError.BATCH_FULL,
            _("Kursi angkatan ini sudah penuh (%(seats)s kursi). Pilih angkatan lain.")
            % {"seats": batch.seats},
        )
    if price is not None and course.price != price:
        return _refused(
            EnrolmentError.PRICE_CHANGED,
            _("Harga pelatihan ini baru saja berubah menjadi %(price)s. Periksa lagi.")
            % {"price": rupiah(course.price)},
        )
    return None


def _already_enrolled() -> ApplicationError:
    return _refused(
        EnrolmentError.ALREADY_ENROLLED,
        _("Anda sudah terdaftar di angkatan pelatihan ini."),
    )


def batch_get(*, batch_id: int) -> CourseBatch:
    batch = (
        CourseBatch.objects.select_related("course__provider").filter(pk=batch_id).first()
        if 0 < batch_id < 2**62
        else None
    )
    if batch is None:
        raise NotFound(EnrolmentError.BATCH_NOT_FOUND, _("Angkatan pelatihan tidak ditemukan."))
    return batch


def _fresh_participant(participant_id: int) -> Participant:
    return Participant.objects.select_related("registration").get(pk=participant_id)


# --- Enrol -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolQuote:
    """What the confirmation page shows: the price and the balance before and after."""

    price: int
    balance_before: int
    balance_after: int


def enrolment_quote(
    *, actor: Actor | None, participant: Participant, batch: CourseBatch
) -> EnrolQuote:
    """Check that ``participant`` may enrol in ``batch`` now (raises the refusal if not)
    and return the numbers to confirm. Reads only."""
    _require_owner(actor, participant)
    now = timezone.now()
    price = int(batch.course.price)
    refusal = (
        batch_refusal(batch, today=timezone.localdate(now), price=None)
        or (_already_enrolled() if _live_enrolment_exists(participant, batch) else None)
        or participant_refusal(participant, price=price, now=now)
    )
    if refusal is not None:
        raise refusal
    return EnrolQuote(price, int(participant.balance), int(participant.balance) - price)


def _live_enrolment_exists(participant: Participant, batch: CourseBatch) -> bool:
    return (
        Enrolment.objects.filter(participant=participant, batch=batch)
        .exclude(status=Enrolment.Status.CANCELLED)
        .exists()
    )


def enrolment_create(
    *,
    actor: Actor | None,
    participant: Participant,
    batch: CourseBatch,
    price: int | None = None,
) -> Enrolment:
    """Enrol ``participant`` in ``batch``, paying the course's price from the balance.

    ``price``: the price the participant confirmed; if the course's price changed since,
    the enrolment is refused (they see the new one). Every refusal is a 409 with its reason
    and writes nothing.
    """
    _require_owner(actor, participant)
    now = timezone.now()
    today = timezone.localdate(now)
    if price is None:
        price = int(batch.course.price)
    refusal = (
        batch_refusal(batch, today=today, price=price)
        or (_already_enrolled() if _live_enrolment_exists(participant, batch) else None)
        or participant_refusal(participant, price=price, now=now)
    )
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            return _enrol(actor, participant, batch, price=price, now=now, today=today)
    except IntegrityError as exc:
        # The one live enrolment per (participant, batch): a double click that raced.
        if _live_enrolment_exists(participant, batch):
            raise _already_enrolled() from exc
        raise


def _enrol(
    actor: Actor | None,
    participant: Participant,
    batch: CourseBatch,
    *,
    price: int,
    now: datetime,
    today: date,
) -> Enrolment:
    reason = "membeli pelatihan"
    stamp = db_datetime(now)
    debited = conditional_update(
        Participant,
        pk=participant.pk,
        assignments=_DEBIT_SET,
        assignment_params=[price, stamp],
        condition=_DEBIT_WHEN,
        condition_params=[price, stamp],
        actor=actor,
        reason=reason,
        now=now,
    )
    if not debited:
        fresh = _fresh_participant(participant.pk)
        raise participant_refusal(fresh, price=price, now=now) or _refused(
            EnrolmentError.BALANCE_TOO_LOW, _("Saldo pelatihan tidak cukup.")
        )
    enrolment = Enrolment(participant=participant, batch=batch, price=price)
    audit_as(enrolment, actor=actor, reason=reason)
    enrolment.save()
    if price:
        LedgerEntry.objects.create(
            participant=participant,
            amount=-price,
            reason=LedgerEntry.Reason.ENROL,
            enrolment=enrolment,
            created_by=_user(actor),
        )
    # Last: the row every competitor for this batch wants (see the module docstring).
    seated = conditional_update(
        CourseBatch,
        pk=batch.pk,
        assignments=_SEAT_TAKE_SET,
        condition=_SEAT_TAKE_WHEN,
        condition_params=[today, price],
        actor=actor,
        reason=reason,
        now=now,
    )
    if not seated:
        fresh_batch = batch_get(batch_id=batch.pk)
        raise batch_refusal(fresh_batch, today=today, price=price) or _refused(
            EnrolmentError.BATCH_FULL, _("Kursi angkatan ini sudah penuh. Pilih angkatan lain.")
        )
    # The caller's objects as the rows now are (the pages and the API show them).
    participant.balance -= price
    participant.first_enrolled_at = participant.first_enrolled_at or now
    batch.seats_taken += 1
    return enrolment


# --- Cancel ----------------------------------------------------------------------------------


def enrolment_get_for_actor(*, actor: Actor | None, enrolment_id: int) -> Enrolment:
    """The actor's own enrolment (404 for anyone else's: its existence is not theirs to
    know)."""
    user = _user(actor) if actor_role(actor) is not None else None
    enrolment = (
        Enrolment.objects.select_related("participant__registration", "batch__course__provider")
        .filter(pk=enrolment_id, participant__registration__user_id=user.pk)
        .first()
        if user is not None and 0 < enrolment_id < 2**62
        else None
    )
    if enrolment is None:
        raise NotFound(
            EnrolmentError.ENROLMENT_NOT_FOUND, _("Pendaftaran pelatihan tidak ditemukan.")
        )
    return enrolment


def cancel_refusal(enrolment: Enrolment, *, today: date) -> ApplicationError | None:
    if enrolment.status != Enrolment.Status.ENROLLED:
        return _refused(
            EnrolmentError.NOT_CANCELLABLE,
            _("Pendaftaran ini berstatus %(status)s, sehingga tidak dapat dibatalkan.")
            % {"status": enrolment.get_status_display().lower()},
        )
    if enrolment.batch.starts_on <= today:
        return _refused(
            EnrolmentError.CANCEL_TOO_LATE,
            _(
                "Angkatan ini sudah dimulai pada %(date)s; pembatalan hanya dapat dilakukan "
                "sebelum pelatihan dimulai."
            )
            % {"date": _day(enrolment.batch.starts_on)},
        )
    return None


def enrolment_cancel(*, actor: Actor | None, enrolment: Enrolment) -> Enrolment:
    """Cancel before the batch starts: the seat goes back to the batch and the price back to
    the balance (a CANCEL credit in the ledger). Refused with a 409 once it started."""
    _require_owner(actor, enrolment.participant)
    now = timezone.now()
    today = timezone.localdate(now)
    refusal = cancel_refusal(enrolment, today=today)
    if refusal is not None:
        raise refusal
    reason = "pembatalan pelatihan"
    with transaction.atomic():
        # The enrolment first: of two cancellations at once, one changes it, the other none.
        cancelled = conditional_update(
            Enrolment,
            pk=enrolment.pk,
            assignments=_CANCEL_SET,
            assignment_params=[Enrolment.Status.CANCELLED.value, db_datetime(now)],
            condition=_CANCEL_WHEN,
            actor=actor,
            reason=reason,
            now=now,
        )
        if not cancelled:
            fresh = Enrolment.objects.select_related("batch").get(pk=enrolment.pk)
            raise cancel_refusal(fresh, today=today) or _refused(
                EnrolmentError.NOT_CANCELLABLE, _("Pendaftaran ini tidak dapat dibatalkan.")
            )
        if enrolment.price:
            conditional_update(
                Participant,
                pk=enrolment.participant_id,
                assignments=_CREDIT_SET,
                assignment_params=[enrolment.price],
                condition="1 = 1",
                actor=actor,
                reason=reason,
                now=now,
            )
            LedgerEntry.objects.create(
                participant_id=enrolment.participant_id,
                amount=enrolment.price,
                reason=LedgerEntry.Reason.CANCEL,
                enrolment=enrolment,
                created_by=_user(actor),
            )
        freed = conditional_update(
            CourseBatch,
            pk=enrolment.batch_id,
            assignments=_SEAT_FREE_SET,
            condition=_SEAT_FREE_WHEN,
            condition_params=[today],
            actor=actor,
            reason=reason,
            now=now,
        )
        if not freed:
            # The batch started between the check above and this update (midnight).
            raise _refused(
                EnrolmentError.CANCEL_TOO_LATE,
                _("Pembatalan hanya dapat dilakukan sebelum pelatihan dimulai."),
            )
    enrolment.refresh_from_db()
    enrolment.batch.refresh_from_db(fields=["seats_taken"])
    enrolment.participant.refresh_from_db(fields=["balance"])
    return enrolment
