"""Sending the SMS owed to participants (``Notice``): revoked, promoted from the waiting list.

The rows are written by the revocation job in its transaction; this job sends them after that
commit. Exactly once, as ``waves.announcements``: each batch is first *claimed* by one
conditional ``UPDATE … SET claim = <token> WHERE claim = ''`` and only the rows carrying this
job's token are sent, so a second run or a second worker texts nobody twice. A gateway failure
is recorded on the row and not retried blindly (a timeout may hide a delivered message).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from prakerja.core.money import rupiah
from prakerja.enrolment.models import Notice
from prakerja.identity.phones import phone_mask
from prakerja.notifications.backends import SmsDeliveryError
from prakerja.notifications.services import sms_send
from prakerja.waves.models import JoinBlock

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
COMPLAINT_LINES = "031-8293097 / 031-8280254"


@dataclass(frozen=True)
class NoticeSummary:
    claimed: int
    sent: int
    failed: int


def notice_text(notice: Notice, *, blocked_until: str = "") -> str:
    """The SMS of one notice, in Indonesian (sent from a job: no browser language), at most
    two concatenated SMS (306 GSM-7 characters)."""
    participant = notice.participant
    registration = participant.registration
    with override("id"):
        if notice.kind == Notice.Kind.REVOKED:
            text = _(
                "Kepesertaan Kartu Prakerja Jatim Anda (No. %(ref)s) dicabut karena belum "
                "membeli pelatihan sampai %(deadline)s."
            ) % {
                "ref": registration.reference,
                "deadline": date_format(timezone.localtime(participant.enrol_by), "j F Y"),
            }
            if blocked_until:
                text += " " + _("Anda dapat ikut gelombang lagi mulai %(date)s.") % {
                    "date": blocked_until
                }
            return text + " " + _("Pengaduan: %(lines)s.") % {"lines": COMPLAINT_LINES}
        return _(
            "Selamat, Anda TERPILIH dari daftar tunggu sebagai peserta Kartu Prakerja Jatim "
            "%(wave)s (No. %(ref)s). Saldo pelatihan %(amount)s; beli pelatihan pertama "
            "sebelum %(deadline)s di menu Pelatihan saya."
        ) % {
            "wave": participant.wave.name,
            "ref": registration.reference,
            "amount": rupiah(participant.balance),
            "deadline": date_format(timezone.localtime(participant.enrol_by), "j F Y"),
        }


def _claim(token: str) -> list[Notice]:
    with transaction.atomic():
        ids = list(
            Notice.objects.filter(claim="").order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return []
        # Conditional: a row another worker claimed in between stays theirs.
        Notice.objects.filter(pk__in=ids, claim="").update(claim=token, claimed_at=timezone.now())
    return list(
        Notice.objects.filter(pk__in=ids, claim=token).select_related(
            "participant__registration", "participant__wave"
        )
    )


def _blocks(notices: list[Notice]) -> dict[tuple[int, int], str]:
    keys = [
        (n.participant.registration_id, n.participant.wave_id)
        for n in notices
        if n.kind == Notice.Kind.REVOKED
    ]
    if not keys:
        return {}
    rows = JoinBlock.objects.filter(
        registration_id__in=[k[0] for k in keys], wave_id__in={k[1] for k in keys}
    ).values_list("registration_id", "wave_id", "until")
    return {
        (registration_id, wave_id): date_format(timezone.localtime(until), "j F Y")
        for registration_id, wave_id, until in rows
    }


def notices_send() -> NoticeSummary:
    """Send every unclaimed notice; safe to run again at any time (and concurrently)."""
    token = str(uuid.uuid4())
    claimed = sent = failed = 0
    while notices := _claim(token):
        claimed += len(notices)
        blocks = _blocks(notices)
        for notice in notices:
            registration = notice.participant.registration
            phone = str(registration.phone or "")
            if not phone:
                notice.error = "no_phone"
                continue
            key = (registration.pk, notice.participant.wave_id)
            try:
                sms_send(to=phone, body=notice_text(notice, blocked_until=blocks.get(key, "")))
            except SmsDeliveryError as error:
                notice.error = f"sms:{error.reason}"[:100]
                failed += 1
                logger.warning(
                    "participant sms not delivered",
                    extra={"recipient": phone_mask(phone), "reason": error.reason},
                )
            else:
                notice.sent_at = timezone.now()
                sent += 1
        Notice.objects.bulk_update(notices, ["sent_at", "error"])
    if claimed:
        logger.info("participant notices sent", extra={"claimed": claimed, "sent": sent})
    return NoticeSummary(claimed, sent, failed)
