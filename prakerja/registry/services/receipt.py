"""The receipt: the SMS with the registration number after a submission."""

from __future__ import annotations

from prakerja.core.tasks import enqueue_with_transaction
from prakerja.registry.models import Registration
from prakerja.registry.tasks import registration_receipt_send


def registration_receipt_enqueue(*, registration: Registration, eligible: bool) -> None:
    """Text the receipt after commit, if the registration has a contact number.

    A job: the request never waits on the SMS gateway. Enqueued in the caller's transaction,
    so a rolled-back submission texts nobody and a committed one always has its receipt job.
    """
    if not registration.phone:
        return
    enqueue_with_transaction(
        registration_receipt_send,
        phone=str(registration.phone),
        reference=registration.reference,
        eligible=eligible,
    )
