"""Payments in the demo (``make run``), so every payment screen has something in it.

Once (when no batch exists yet): six more participants of the demo training wave take a
course of the demo provider and complete it through the enrolment services; three of them
finished five weeks ago (demo only: their completion is dated back), so a second instalment
has fallen due too. Five register an account in their own name, one under another name (it
waits in the name review). The due job runs; "bendahara" builds a batch of the bank accounts,
"bendahara2" approves it, and the bank's result marks every line paid except one, which
failed ("Nomor rekening tidak ditemukan") and is due again with the reason shown to its
participant. The e-wallet instalments and the second month's wait for the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.services.completion import completion_record
from prakerja.enrolment.services.enrolments import enrolment_create
from prakerja.payments.models import PaymentBatch, PaymentLine
from prakerja.payments.services.accounts import account_register
from prakerja.payments.services.batches import batch_approve, batch_build, batch_export
from prakerja.payments.services.reconciliation import result_import
from prakerja.payments.services.schedule import instalments_make_due
from prakerja.registry.models import Registration
from prakerja.training.models import Course, CourseBatch, Provider

DEMO_PROVIDER = "LPK Demo Surabaya"
# channel, provider, number; the last registers under another name.
ACCOUNTS = (
    ("bank", "002", "0021000012345"),
    ("bank", "009", "0091000023456"),
    ("bank", "114", "1141000034567"),
    ("bank", "451", "4511000045678"),
    ("ewallet", "dana", "081230000101"),
    ("bank", "014", "0141000056789"),
)


NAMES = (
    "Siti Aminah",
    "Budi Santoso",
    "Dewi Lestari",
    "Moch. Rizal Fahmi",
    "Nur Hidayati",
    "Agus Prasetyo",
)


@dataclass(frozen=True)
class PaymentsDemo:
    completed: int
    batches: int


def payments_demo_load() -> PaymentsDemo:
    first = User.objects.filter(username="bendahara").first()
    second = User.objects.filter(username="bendahara2").first()
    operator = User.objects.filter(username="lpk").first()
    if first is None or second is None or operator is None:
        return PaymentsDemo(completed=0, batches=0)
    if PaymentBatch.objects.exists():
        return PaymentsDemo(completed=0, batches=PaymentBatch.objects.count())
    with transaction.atomic():
        completed = _completions(operator)
        if not completed:
            return PaymentsDemo(completed=0, batches=0)
        for participant, (channel, provider, number) in zip(completed, ACCOUNTS, strict=False):
            own = participant.registration.full_name
            account_register(
                actor=participant.registration.user,
                channel=channel,
                provider=provider,
                number=number,
                holder_name=own if number != ACCOUNTS[-1][2] else "Hendra Kurniawan Saputra",
            )
        instalments_make_due()
        batch = batch_build(actor=first, channel="bank")
        batch_approve(actor=second, batch_id=batch.pk)
        batch_export(actor=first, batch_id=batch.pk, layout="bank")
        lines = list(PaymentLine.objects.filter(batch=batch).order_by("id"))
        rows = ["batch,line,amount,status,reason"]
        for k, line in enumerate(lines):
            status, reason = (
                ("failed", "Nomor rekening tidak ditemukan") if k == 1 else ("paid", "")
            )
            rows.append(f"{batch.code},{line.pk},{line.amount},{status},{reason}")
        result_import(
            actor=first,
            name=f"hasil-{batch.code}.csv",
            content=("\n".join(rows) + "\n").encode(),
        )
    return PaymentsDemo(completed=len(completed), batches=1)


def _completions(operator: User) -> list[Participant]:
    batch = (
        CourseBatch.objects.filter(
            course__provider__name=DEMO_PROVIDER,
            course__provider__status=Provider.Status.VERIFIED,
            course__status=Course.Status.PUBLISHED,
            starts_on__gt=timezone.localdate(),
            seats_taken__lte=F("seats") - len(ACCOUNTS),
        )
        .order_by("course__price", "starts_on")
        .first()
    )
    if batch is None:
        return []
    participants = list(
        Participant.objects.filter(status=Participant.Status.ACTIVE, enrolments__isnull=True)
        .exclude(registration__user__username="pendaftar")
        .select_related("registration__user", "wave")
        .order_by("pk")[: len(ACCOUNTS)]
    )
    # Generated applicants are called "Peserta …" with a number; these get people's names, as
    # an account holder's name has no digits.
    for participant, name in zip(participants, NAMES, strict=False):
        Registration.objects.filter(pk=participant.registration_id).update(full_name=name)
        participant.registration.full_name = name
    enrolments = [
        enrolment_create(actor=p.registration.user, participant=p, batch=batch)
        for p in participants
    ]
    today = timezone.localdate()
    # Demo only: the batch ran in the past, so its participants can be assessed.
    CourseBatch.objects.filter(pk=batch.pk).update(
        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=36)
    )
    for enrolment in enrolments:
        completion_record(
            actor=operator, enrolment_id=enrolment.pk, attendance_percent=92, final_score=81
        )
    # Half finished five weeks ago: their second monthly instalment is due as well.
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments[:3]]).update(
        completed_at=timezone.now() - timedelta(days=35)
    )
    return participants
