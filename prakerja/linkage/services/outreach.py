"""Outreach to reported workers not yet registered: the export log and the SMS invitations."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, Capability, actor_require
from prakerja.core.errors import ApplicationError
from prakerja.linkage.errors import LinkageError
from prakerja.linkage.models import (
    DataExport,
    OutreachInvitation,
)
from prakerja.linkage.selectors import (
    outreach_queryset,
    outreach_wave_get,
)
from prakerja.notifications.services import sms_send_on_commit
from prakerja.waves.models import Wave

logger = logging.getLogger(__name__)


def outreach_export_record(
    *, actor: Actor, file_format: str, regency_code: str | None, row_count: int
) -> DataExport:
    """Log the disclosure of an outreach list (names and phone numbers) before it is sent."""
    actor_require(actor, Capability.LABOUR_DATA_EXPORT)
    assert isinstance(actor, User)
    return DataExport.objects.create(
        actor=actor,
        kind=DataExport.Kind.OUTREACH,
        file_format=file_format,
        regency_id=regency_code,
        row_count=row_count,
    )


def outreach_campaign(wave: Wave) -> str:
    """The invitation's campaign key: one per wave, so one invitation per person per wave."""
    return f"gelombang:{wave.pk}"


def invitation_sms_body(*, wave: Wave) -> str:
    closes = timezone.localtime(wave.closes_at)
    site = settings.PUBLIC_BASE_URL.split("://")[-1].rstrip("/")
    return (
        "Anda tercatat Disnaker sebagai pekerja terdampak. Daftar Kartu Prakerja Jatim "
        f"{wave.name} gratis sampai {closes:%d/%m/%Y %H.%M} WIB di {site} "
        "atau posko terdekat."
    )


def outreach_invitations_start(
    *, actor: Actor, wave_id: int | str, regency_code: str | None
) -> None:
    """Queue the SMS invitation job for one wave still open or yet to open and, optionally,
    one regency."""
    actor_require(actor, Capability.LABOUR_DATA_EXPORT)
    wave = outreach_wave_get(wave_id=wave_id)
    if wave is None:
        raise ApplicationError(
            LinkageError.LINKAGE_WAVE_INVALID,
            _(
                "Pilih gelombang yang pendaftarannya masih atau akan dibuka: undangan untuk "
                "gelombang yang sudah ditutup tidak dikirim."
            ),
            field="wave",
        )
    # The scope check happens now, in the request, not later in the job.
    outreach_queryset(actor=actor, regency_code=regency_code)
    from prakerja.linkage.tasks import outreach_invitations_job

    actor_id = actor.pk if isinstance(actor, User) else None
    wave_pk = wave.pk
    transaction.on_commit(
        lambda: outreach_invitations_job.enqueue(actor_id, wave_pk, regency_code or "")
    )


def outreach_invitations_send(*, actor: Actor, wave_id: int, regency_code: str | None) -> int:
    """Text every not-yet-registered reported worker with a phone once per wave.

    The unique (worker, campaign) row is claimed before the SMS is queued, each in its own
    short transaction, so a job run twice (or two at once) texts nobody twice. A wave that
    closed before the job ran gets no invitations. Returns how many invitations this call sent.
    """
    wave = outreach_wave_get(wave_id=wave_id)
    if wave is None:
        logger.info("outreach invitations skipped: wave %s is closed or unknown", wave_id)
        return 0
    campaign = outreach_campaign(wave)
    workers = outreach_queryset(actor=actor, regency_code=regency_code).exclude(phone="")
    workers = workers.exclude(
        Exists(OutreachInvitation.objects.filter(worker_id=OuterRef("pk"), campaign=campaign))
    )
    body = invitation_sms_body(wave=wave)
    sent = 0
    for worker_id, phone in workers.values_list("pk", "phone").iterator(chunk_size=2000):
        try:
            with transaction.atomic():
                OutreachInvitation.objects.create(
                    worker_id=worker_id,
                    campaign=campaign,
                    sent_by=actor if isinstance(actor, User) else None,
                )
                sms_send_on_commit(to=phone, body=body)
        except IntegrityError:
            continue  # another run claimed this person for this wave first
        sent += 1
    return sent
