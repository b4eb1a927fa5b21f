"""Signals in the demo (``make run``), so the review queue is not empty: three of the demo
wave's generated applicants share one phone number and three one e-mail address (as a
family or a broker might), one participant tries another's bank account, then the job runs.
Idempotent: only while no signal exists."""

from __future__ import annotations

import contextlib

from django.db import transaction

from prakerja.core.errors import ApplicationError
from prakerja.enrolment.models import Participant
from prakerja.fraud.models import Signal
from prakerja.fraud.services import RunSummary, signals_run
from prakerja.identity import crypto
from prakerja.payments.models import PaymentAccount
from prakerja.payments.services.accounts import account_register
from prakerja.registry.models import Registration


def fraud_demo_load() -> RunSummary | None:
    if Signal.objects.exists():
        return None
    generated = list(
        Registration.objects.filter(
            user__username__startswith="peserta-", submitted_at__isnull=False
        )
        .order_by("-pk")
        .values_list("pk", flat=True)[:6]
    )
    if len(generated) < 6:
        return None
    with transaction.atomic():
        Registration.objects.filter(pk__in=generated[:3]).update(phone="+6281355500077")
        Registration.objects.filter(pk__in=generated[3:]).update(email="calo.prakerja@contoh.id")
    taken = PaymentAccount.objects.filter(is_active=True, channel="bank").first()
    other = (
        Participant.objects.filter(status=Participant.Status.ACTIVE, payment_accounts__isnull=True)
        .exclude(registration__user__username="pendaftar")
        .select_related("registration__user")
        .first()
    )
    if taken is not None and other is not None:
        # Refused, as it must be: the attempt is what the signal shows.
        with contextlib.suppress(ApplicationError):
            account_register(
                actor=other.registration.user,
                channel=taken.channel,
                provider=taken.provider,
                number=crypto.decrypt(taken.number_encrypted),
                holder_name=taken.holder_name,
            )
    return signals_run()
