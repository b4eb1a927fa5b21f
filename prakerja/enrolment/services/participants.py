"""Participants: every applicant a published selection selected, with the training balance.

``participants_create_for_selection`` is called by the receiver of
``core.signals.selection_published`` inside the publishing transaction, so the participants
and the published result commit (or roll back) together. Set-based: one ``INSERT … SELECT``
for the participants, one for their history rows and one for the GRANT ledger entries,
whatever the number of applicants (a wave selects up to half a million). Safe to repeat: an
entry that already has its participant is skipped, so the backfill of waves published before
this app existed (``manage.py enrolment_participants_backfill``) is the same call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prakerja.core.history import history_bulk_insert
from prakerja.enrolment.models import LedgerEntry, Participant, TrainingSettings
from prakerja.enrolment.sql import (
    ENTRY_TABLE,
    LEDGER_TABLE,
    PARTICIPANT_TABLE,
    REGISTRATION_TABLE,
    RESULT_TABLE,
    db_datetime,
    literal,
)
from prakerja.registry.models import Programme
from prakerja.waves.models import SelectionRun, Wave, WaveEntry

logger = logging.getLogger(__name__)

REASON_SELECTED = "terpilih: peserta pelatihan dibuat"
REASON_BACKFILL = "terpilih (gelombang yang sudah diumumkan): peserta pelatihan dibuat"


def training_settings_get(*, programme_id: int) -> TrainingSettings:
    """The programme's training settings, created with the defaults (Rp 1,000,000, 30 days)
    on first use, as the programme's wave settings are."""
    row, _created = TrainingSettings.objects.get_or_create(programme_id=programme_id)
    return row


@dataclass(frozen=True)
class Terms:
    """What a participant made at ``now`` gets: the balance and the enrolment deadline."""

    amount: int
    now: datetime
    enrol_by: datetime


def participant_terms(*, programme_id: int, now: datetime) -> Terms:
    settings_row = training_settings_get(programme_id=programme_id)
    return Terms(
        amount=int(settings_row.balance_amount),
        now=now,
        enrol_by=now + timedelta(days=int(settings_row.enrol_deadline_days)),
    )


def participants_insert_sql(*, source: str) -> str:
    """``INSERT INTO participant … SELECT`` from ``source``: a relation with the columns
    ``entry_id, registration_id, wave_id, regency_id`` of the entries to make participants of
    (entries that have one already are skipped). Parameters: amount, selected_at, enrol_by,
    promoted."""
    return f"""
        INSERT INTO {PARTICIPANT_TABLE}
            (wave_entry_id, registration_id, wave_id, regency_id, status, balance,
             selected_at, enrol_by, first_enrolled_at, revoked_at, promoted_from_waiting)
        SELECT src.entry_id, src.registration_id, src.wave_id, src.regency_id,
               {literal(Participant.Status.ACTIVE)}, %s, %s, %s, NULL, NULL, %s
        FROM ({source}) src
        WHERE NOT EXISTS (SELECT 1 FROM {PARTICIPANT_TABLE} p
                          WHERE p.wave_entry_id = src.entry_id)
    """  # noqa: S608 - names from _meta, enum values of the models only


def grants_write(*, participants: QuerySet[Participant], actor: Any | None, now: datetime) -> int:
    """The GRANT ledger entry of each of ``participants`` (their whole balance), one
    statement. A zero balance (a programme granting nothing) has no entry: the ledger holds
    no zero amounts."""
    select_sql, select_params = (
        participants.filter(balance__gt=0).order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {LEDGER_TABLE}
                (participant_id, amount, reason, enrolment_id, created_at, created_by_id)
            SELECT p.id, p.balance, {literal(LedgerEntry.Reason.GRANT)}, NULL, %s, %s
            FROM {PARTICIPANT_TABLE} p WHERE p.id IN ({select_sql})
            """,  # noqa: S608 - names from _meta; the subquery is the ORM's
            [db_datetime(now), getattr(actor, "pk", None), *select_params],
        )
        return int(cursor.rowcount)


def participants_made(
    *,
    participants: QuerySet[Participant],
    actor: Any | None,
    reason: str,
    now: datetime,
) -> int:
    """History rows and GRANT entries of participants just inserted; returns their number."""
    made = history_bulk_insert(
        Participant, participants, actor=actor, reason=reason, history_date=now
    )
    if made:
        grants_write(participants=participants, actor=actor, now=now)
    return made


@transaction.atomic
def participants_create_for_selection(
    *, run: SelectionRun, actor: Any | None, reason: str = REASON_SELECTED
) -> int:
    """One participant per ``selected`` entry of the run's wave that has none yet, with
    ``enrol_by = selected_at + enrol_deadline_days`` and a GRANT of the programme's
    ``balance_amount``. The regency is the one the run ranked the applicant in (the waiting
    list that fills a revoked place is that regency's). Returns how many were made."""
    wave = Wave.objects.only("pk", "programme_id").get(pk=run.wave_id)
    now = timezone.now()
    terms = participant_terms(programme_id=wave.programme_id, now=now)
    source = f"""
        SELECT e.id AS entry_id, e.registration_id, e.wave_id,
               COALESCE(s.regency_id, r.domicile_regency_id) AS regency_id
        FROM {ENTRY_TABLE} e
        JOIN {REGISTRATION_TABLE} r ON r.id = e.registration_id
        LEFT JOIN {RESULT_TABLE} s ON s.run_id = %s AND s.registration_id = e.registration_id
        WHERE e.wave_id = %s AND e.status = {literal(WaveEntry.Status.SELECTED)}
    """  # noqa: S608 - names from _meta, enum values of the models only
    with connection.cursor() as cursor:
        cursor.execute(
            participants_insert_sql(source=source),
            [
                terms.amount,
                db_datetime(now),
                db_datetime(terms.enrol_by),
                False,
                run.pk,
                wave.pk,
            ],
        )
    made = participants_made(
        participants=Participant.objects.filter(
            wave_id=wave.pk, selected_at=now, promoted_from_waiting=False
        ),
        actor=actor,
        reason=reason,
        now=now,
    )
    logger.info("participants created", extra={"wave": wave.pk, "run": run.pk, "made": made})
    return made


def participants_backfill(*, actor: Any | None, programme: Programme | None = None) -> int:
    """Participants for every wave published before the receiver existed (the demo's, a
    database restored from before this app). Returns how many were made."""
    runs = SelectionRun.objects.filter(status=SelectionRun.Status.PUBLISHED).order_by("pk")
    if programme is not None:
        runs = runs.filter(wave__programme=programme)
    return sum(
        participants_create_for_selection(run=run, actor=actor, reason=REASON_BACKFILL)
        for run in runs
    )
