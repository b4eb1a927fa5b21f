"""Announcing a published wave's results to each applicant, by SMS and (when given) email.

Exactly once per applicant and wave: each batch of applicants is first *claimed* with one
``INSERT … ON CONFLICT DO NOTHING`` of ``Announcement`` rows (unique per registration and
wave) carrying this execution's token; only the rows that carry the token afterwards are sent.
A second run of the job, or a second worker on the same wave at the same time, claims nothing
that was already claimed, so nobody is texted twice. The sending itself happens after the
claim has committed; a gateway failure is recorded on the row (``error``) and not retried
automatically, because a timeout may hide a message that did arrive.

Triggered by ``prakerja.core.signals.selection_published`` (connected in ``apps.py``): the
receiver ``announce_on_publish`` (below) enqueues the job ``wave_results_announce_job`` once
the publishing transaction commits; the job is just another caller of
``wave_results_announce``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from prakerja.core.jobs import job_lease
from prakerja.identity.phones import phone_mask
from prakerja.notifications.backends import SmsDeliveryError
from prakerja.notifications.services import sms_send
from prakerja.registry.models import Registration
from prakerja.waves.models import Announcement, SelectionResult, SelectionRun, Wave, WaveEntry

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Two concatenated GSM-7 SMS carry 2 × 153 characters: every text must fit in that.
SMS_MAX_CHARS = 306
COMPLAINT_LINES = "031-8293097 / 031-8280254"


@dataclass(frozen=True)
class AnnounceSummary:
    wave_id: int
    claimed: int
    sms_sent: int
    email_sent: int
    failed: int


def announcement_texts(*, outcome: str, reference: str, wave_name: str) -> tuple[str, str, str]:
    """``(sms, email subject, email body)`` for one applicant, in Indonesian (the programme's
    language: the SMS goes out from a job, with no browser language to follow)."""
    with override("id"):
        if outcome == Announcement.Outcome.SELECTED:
            sms = _(
                "Selamat, Anda TERPILIH sebagai peserta Kartu Prakerja Jatim %(wave)s "
                "(No. %(ref)s). Lihat langkah berikutnya di halaman status pendaftaran."
            )
            subject = _("Anda terpilih: Kartu Prakerja Jatim %(wave)s")
        elif outcome == Announcement.Outcome.WAITING:
            sms = _(
                "Pendaftaran Kartu Prakerja Jatim %(ref)s belum lengkap saat %(wave)s ditutup. "
                "Anda masuk daftar tunggu gelombang berikutnya; lengkapi data di halaman status."
            )
            subject = _("Daftar tunggu: Kartu Prakerja Jatim %(wave)s")
        else:
            sms = _(
                "Maaf, Anda belum terpilih di Kartu Prakerja Jatim %(wave)s (No. %(ref)s). "
                "Alasan dan langkah berikutnya ada di halaman status pendaftaran. "
                "Pengaduan: %(lines)s."
            )
            subject = _("Hasil seleksi Kartu Prakerja Jatim %(wave)s")
        values = {"wave": wave_name, "ref": reference, "lines": COMPLAINT_LINES}
        body_sms = sms % values
        body_email = "\n\n".join(
            [
                body_sms,
                _("Pengaduan dan pertanyaan: call center %(lines)s.") % values,
                _("Pesan ini dikirim otomatis; mohon tidak dibalas."),
            ]
        )
        return body_sms, subject % values, body_email


def _published_run(wave: Wave) -> SelectionRun | None:
    return (
        SelectionRun.objects.filter(wave=wave, status=SelectionRun.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )


def _outcomes(wave: Wave, run: SelectionRun) -> Iterator[tuple[int, str]]:
    """``(registration_id, outcome)`` of everyone the wave's result concerns, by id."""
    results = (
        SelectionResult.objects.filter(run=run)
        .order_by("registration_id")
        .values_list("registration_id", "selected")
    )
    for registration_id, selected in results.iterator(chunk_size=2000):
        yield (
            registration_id,
            Announcement.Outcome.SELECTED if selected else Announcement.Outcome.NOT_SELECTED,
        )
    # The waiting list: entries without a result (never ranked) that were waiting at close,
    # including those already moved on to the next wave when it existed at publish time.
    waiting = (
        WaveEntry.objects.filter(
            wave=wave, status__in=[WaveEntry.Status.WAITING, WaveEntry.Status.CARRIED_OVER]
        )
        .exclude(
            Exists(
                SelectionResult.objects.filter(run=run, registration_id=OuterRef("registration_id"))
            )
        )
        .order_by("registration_id")
        .values_list("registration_id", flat=True)
    )
    for registration_id in waiting.iterator(chunk_size=2000):
        yield registration_id, Announcement.Outcome.WAITING


def _batches(items: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    while batch := list(islice(items, size)):
        yield batch


def _claim(wave: Wave, batch: list[tuple[int, str]], token: str) -> list[dict[str, Any]]:
    """Insert the batch's rows (conflicts ignored) and return the ones this token won."""
    now = timezone.now()
    with transaction.atomic():
        Announcement.objects.bulk_create(
            [
                Announcement(
                    wave=wave,
                    registration_id=registration_id,
                    outcome=outcome,
                    claim=token,
                    claimed_at=now,
                )
                for registration_id, outcome in batch
            ],
            ignore_conflicts=True,
        )
    ids = [registration_id for registration_id, _outcome in batch]
    won = Announcement.objects.filter(wave=wave, claim=token, registration_id__in=ids).values(
        "pk", "registration_id", "outcome"
    )
    contacts = {
        row["pk"]: row
        for row in Registration.objects.filter(pk__in=ids).values(
            "pk", "reference", "phone", "email"
        )
    }
    return [{**row, **{"contact": contacts[row["registration_id"]]}} for row in won]


def wave_results_announce(*, wave_id: int) -> AnnounceSummary:
    """Announce the published result of ``wave_id`` to everyone not yet announced to.

    Safe to run again at any time (and concurrently): it sends only what it claims.
    """
    wave = Wave.objects.get(pk=wave_id)
    run = _published_run(wave)
    if run is None:
        logger.info("wave not published, nothing to announce", extra={"wave": wave_id})
        return AnnounceSummary(wave_id, 0, 0, 0, 0)
    token = str(uuid.uuid4())
    claimed = sms_sent = email_sent = failed = 0
    for batch in _batches(_outcomes(wave, run), BATCH_SIZE):
        rows = _claim(wave, batch, token)
        claimed += len(rows)
        done: list[Announcement] = []
        for row in rows:
            contact = row["contact"]
            sms, subject, body = announcement_texts(
                outcome=row["outcome"], reference=contact["reference"], wave_name=wave.name
            )
            item = Announcement(pk=row["pk"])
            item.error = ""
            if contact["phone"]:
                phone = str(contact["phone"])
                try:
                    sms_send(to=phone, body=sms)
                except SmsDeliveryError as error:
                    item.error = f"sms:{error.reason}"[:100]
                    failed += 1
                    logger.warning(
                        "result sms not delivered",
                        extra={"recipient": phone_mask(phone), "reason": error.reason},
                    )
                else:
                    item.sms_sent_at = timezone.now()
                    sms_sent += 1
            if contact["email"]:
                try:
                    send_mail(subject, body, None, [contact["email"]])
                except Exception as error:  # any SMTP failure: recorded on the row, never raised
                    item.error = (item.error + f" email:{type(error).__name__}").strip()[:100]
                    failed += 1
                    logger.warning("result email not delivered", extra={"wave": wave_id})
                else:
                    item.email_sent_at = timezone.now()
                    email_sent += 1
            done.append(item)
        Announcement.objects.bulk_update(done, ["sms_sent_at", "email_sent_at", "error"])
    logger.info(
        "wave results announced",
        extra={"wave": wave_id, "claimed": claimed, "sms": sms_sent, "email": email_sent},
    )
    return AnnounceSummary(wave_id, claimed, sms_sent, email_sent, failed)


# --- The job and the receiver that queues it -------------------------------------------------


# The lease (core.jobs) of a wave's announcement: a worker killed half-way has the job
# enqueued again by the reaper.
ANNOUNCE_JOB = "waves.announce"


@task()
def wave_results_announce_job(wave_id: int) -> dict[str, int]:
    """Text (and email) every applicant of the wave their result, exactly once each.

    Under a lease: safe to run again from the top after a worker died, because each
    applicant's Announcement row is claimed (committed) before the SMS goes out and a re-run
    sends only the rows it claims itself. An applicant claimed by the dead worker but not yet
    texted stays at most once (the row shows neither a send nor an error: resend by hand).
    """
    with job_lease(ANNOUNCE_JOB, wave_id) as lease:
        if lease is None:
            return {"claimed": 0, "sms_sent": 0, "email_sent": 0, "failed": 0}
        summary = wave_results_announce(wave_id=wave_id)
    return {
        "claimed": summary.claimed,
        "sms_sent": summary.sms_sent,
        "email_sent": summary.email_sent,
        "failed": summary.failed,
    }


def announce_on_publish(sender: Any, *, wave: Any, **kwargs: Any) -> None:
    """``selection_published`` receiver: queue the announcement once the publish commits.

    The signal is sent inside the publishing transaction; a rolled-back publish must not
    announce anything, hence ``on_commit``. ``robust``: the publish stands even if the queue
    refuses the job (logged); the job can be queued again by hand and sends nothing twice.
    """
    transaction.on_commit(partial(wave_results_announce_job.enqueue, wave_id=wave.pk), robust=True)
