"""Deadline and revocation, with promotion from the waiting list (SPEC §3.6, issue 14 item 6).

A participant who bought no training by ``enrol_by`` (selection + ``enrol_deadline_days``)
loses the place: status ``revoked``, a REVOKE debit of the whole remaining balance, their
wave entry ``revoked``, a ``waves.JoinBlock`` keeping them out of later waves for the
programme's ``revoked_block_days``, and an SMS. Each place goes back to the wave: the next
applicant of the same regency's waiting list (the published run's rows not selected because
the quota was full, in ``rank_in_regency`` order) is promoted: their entry ``selected``, a new
participant with the balance and a fresh deadline, a ``Promotion`` row on the run, an SMS.

One job, one transaction, a constant number of set-based statements whatever the number of
participants (the benchmark revokes and promotes 100,000 at once). The rows of one run are
found again by its timestamp (``revoked_at`` / ``selected_at`` / ``created_at`` = the run's
``now``, stored as the ORM stores it). SMS are owed as ``Notice`` rows written in the same
transaction and sent by the notices job queued with it: a rolled-back run texts nobody.

"Bought no training" is ``first_enrolled_at IS NULL``, the column the enrolment's own
conditional update sets: an enrolment that commits first makes the revocation skip the row
(PostgreSQL re-checks the condition on the row it locks), and an enrolment after the deadline
by someone who never enrolled is refused by the same condition. A participant who enrolled in
time and cancelled later keeps the place.

Who is promoted: a ``quota_full`` row of the wave's published run whose entry in that wave is
``not_selected`` or ``carried_over``, never selected in any wave (nor revoked), not blocked,
and not in a later wave that is already closed or announced. Their entries in later waves
still open or in draft (carried there when the next wave was created) are withdrawn with a
history row: they hold a place now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prakerja.core.history import history_bulk_insert, history_bulk_update
from prakerja.core.tasks import enqueue_with_transaction
from prakerja.enrolment.models import LedgerEntry, Notice, Participant, Promotion
from prakerja.enrolment.services.participants import (
    participant_terms,
    participants_insert_sql,
    participants_made,
    training_settings_get,
)
from prakerja.enrolment.sql import (
    ENTRY_TABLE,
    JOIN_BLOCK_TABLE,
    LEDGER_TABLE,
    NOTICE_TABLE,
    PARTICIPANT_TABLE,
    PROMOTION_TABLE,
    RESULT_TABLE,
    RUN_TABLE,
    WAVE_TABLE,
    db_datetime,
    literal,
)
from prakerja.waves.models import JoinBlock, SelectionResult, SelectionRun, Wave, WaveEntry

logger = logging.getLogger(__name__)

REASON_REVOKED = "batas waktu membeli pelatihan lewat: kepesertaan dicabut"
REASON_PROMOTED = "dipromosikan dari daftar tunggu"
REASON_WITHDRAWN = "terpilih dari daftar tunggu gelombang sebelumnya"

ACTIVE = literal(Participant.Status.ACTIVE)
REVOKED = literal(Participant.Status.REVOKED)
_OVERDUE = f"status = {ACTIVE} AND enrol_by <= %s AND first_enrolled_at IS NULL"


@dataclass(frozen=True)
class RevocationSummary:
    revoked: int
    promoted: int
    # Places no one was left to take (the regency's waiting list ran out).
    unfilled: int
    at: datetime


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _revoke(now: datetime) -> int:
    """Revoke every overdue participant and debit their remaining balance (REVOKE entry).
    Returns how many were revoked."""
    stamp = db_datetime(now)
    debit = (
        f"INSERT INTO {LEDGER_TABLE} "
        "(participant_id, amount, reason, enrolment_id, created_at, created_by_id) "
    )
    revoke = literal(LedgerEntry.Reason.REVOKE)
    if connection.vendor == "postgresql":
        # The old balance is what the ledger debits: read under the row lock that the update
        # then takes over (FOR UPDATE re-checks the condition if an enrolment got there first).
        _execute(
            f"""
            WITH old AS (
                SELECT id, balance FROM {PARTICIPANT_TABLE} WHERE {_OVERDUE} FOR UPDATE
            ), revoked AS (
                UPDATE {PARTICIPANT_TABLE} p
                SET status = {REVOKED}, revoked_at = %s, balance = 0
                FROM old WHERE p.id = old.id
                RETURNING p.id, old.balance AS old_balance
            )
            {debit}
            SELECT id, -old_balance, {revoke}, NULL, %s, NULL FROM revoked
            WHERE old_balance > 0
            """,  # noqa: S608 - names from _meta, enum values of the models only
            [stamp, stamp, stamp],
        )
    else:
        # SQLite: one writer at a time (BEGIN IMMEDIATE), so two statements see the same rows.
        _execute(
            f"{debit} SELECT id, -balance, {revoke}, NULL, %s, NULL "  # noqa: S608 - _meta
            f"FROM {PARTICIPANT_TABLE} WHERE {_OVERDUE} AND balance > 0",
            [stamp, stamp],
        )
        _execute(
            f"UPDATE {PARTICIPANT_TABLE} "  # noqa: S608 - names from _meta
            f"SET status = {REVOKED}, revoked_at = %s, balance = 0 WHERE {_OVERDUE}",
            [stamp, stamp],
        )
    revoked = _revoked_now(now)
    return history_bulk_insert(
        Participant,
        revoked,
        actor=None,
        reason=REASON_REVOKED,
        history_type="~",
        history_date=now,
    )


def _revoked_now(now: datetime) -> QuerySet[Participant]:
    return Participant.objects.filter(status=Participant.Status.REVOKED, revoked_at=now)


def _programmes_of(participants: QuerySet[Participant]) -> list[int]:
    return sorted(
        set(
            Wave.objects.filter(pk__in=participants.values("wave_id")).values_list(
                "programme_id", flat=True
            )
        )
    )


def _block(now: datetime) -> None:
    """The revoked may not join a wave for their programme's ``revoked_block_days``."""
    revoked = _revoked_now(now)
    stamp = db_datetime(now)
    for programme_id in _programmes_of(revoked):
        days = int(training_settings_get(programme_id=programme_id).revoked_block_days)
        if days <= 0:
            continue
        _execute(
            f"""
            INSERT INTO {JOIN_BLOCK_TABLE} (registration_id, wave_id, until, reason, created_at)
            SELECT p.registration_id, p.wave_id, %s, %s, %s
            FROM {PARTICIPANT_TABLE} p JOIN {WAVE_TABLE} w ON w.id = p.wave_id
            WHERE p.status = {REVOKED} AND p.revoked_at = %s AND w.programme_id = %s
              AND NOT EXISTS (SELECT 1 FROM {JOIN_BLOCK_TABLE} b
                              WHERE b.registration_id = p.registration_id
                                AND b.wave_id = p.wave_id)
            """,  # noqa: S608 - names from _meta, enum values of the models only
            [db_datetime(now + timedelta(days=days)), REASON_REVOKED, stamp, stamp, programme_id],
        )
    history_bulk_insert(
        JoinBlock,
        JoinBlock.objects.filter(created_at=now),
        actor=None,
        reason=REASON_REVOKED,
        history_date=now,
    )
    history_bulk_update(
        WaveEntry.objects.filter(pk__in=revoked.values("wave_entry_id")),
        actor=None,
        reason=REASON_REVOKED,
        status=WaveEntry.Status.REVOKED,
    )


def _notices(participants_sql: str, params: list[Any], kind: str, now: datetime) -> int:
    """One owed SMS per participant of ``participants_sql`` (a query of their ids)."""
    return _execute(
        f"""
        INSERT INTO {NOTICE_TABLE}
            (participant_id, kind, created_at, claim, claimed_at, sent_at, error)
        SELECT q.id, %s, %s, '', NULL, NULL, '' FROM ({participants_sql}) q
        """,  # noqa: S608 - names from _meta; the subquery is ours
        [kind, db_datetime(now), *params],
    )


def _candidates_sql() -> str:
    """The waiting lists of the runs with places to fill (``vacancy_runs``), numbered per
    (run, regency) in the order the selection computed. Parameters: ``False`` (not
    selected), now (blocks still running). A candidate in a later wave that is closed or
    announced is that wave's: left out here, so nobody is promoted twice."""
    entry_open = ", ".join(
        literal(s) for s in (WaveEntry.Status.NOT_SELECTED, WaveEntry.Status.CARRIED_OVER)
    )
    taken = ", ".join(literal(s) for s in (WaveEntry.Status.SELECTED, WaveEntry.Status.REVOKED))
    busy_waves = ", ".join(literal(s) for s in (Wave.Status.CLOSED, Wave.Status.PUBLISHED))
    return f"""
        SELECT s.run_id, s.regency_id, e.id AS entry_id, s.rank_in_regency,
               ROW_NUMBER() OVER (PARTITION BY s.run_id, s.regency_id
                                  ORDER BY s.rank_in_regency, s.registration_id) AS n
        FROM {RESULT_TABLE} s
        JOIN vacancy_runs vr ON vr.run_id = s.run_id AND vr.regency_id = s.regency_id
        JOIN {ENTRY_TABLE} e ON e.wave_id = vr.wave_id AND e.registration_id = s.registration_id
        WHERE s.selected = %s
          AND s.reason_code = {literal(SelectionResult.Reason.QUOTA_FULL)}
          AND e.status IN ({entry_open})
          AND NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} x
                          WHERE x.registration_id = s.registration_id
                            AND x.status IN ({taken}))
          AND NOT EXISTS (SELECT 1 FROM {JOIN_BLOCK_TABLE} b
                          WHERE b.registration_id = s.registration_id AND b.until > %s)
          AND NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} x JOIN {WAVE_TABLE} w ON w.id = x.wave_id
                          WHERE x.registration_id = s.registration_id
                            AND w.programme_id = vr.programme_id AND w.number > vr.number
                            AND w.status IN ({busy_waves}))
    """  # noqa: S608 - names from _meta, enum values of the models only


def _promote(now: datetime) -> int:
    """Fill each revoked place from its regency's waiting list; returns the number promoted."""
    stamp = db_datetime(now)
    published = literal(SelectionRun.Status.PUBLISHED)
    # The k-th revoked participant of a (run, regency) is replaced by its k-th candidate.
    vacancies = f"""
        SELECT p.id AS participant_id, r.id AS run_id, p.wave_id, p.regency_id,
               ROW_NUMBER() OVER (PARTITION BY r.id, p.regency_id ORDER BY p.id) AS n
        FROM {PARTICIPANT_TABLE} p
        JOIN {RUN_TABLE} r ON r.wave_id = p.wave_id AND r.status = {published}
        WHERE p.status = {REVOKED} AND p.revoked_at = %s AND p.regency_id IS NOT NULL
    """  # noqa: S608 - names from _meta, enum values of the models only
    # Pairing by GROUP BY (run, regency, n) over both lists, not by a join: a join of the
    # two numbered lists is estimated at one row each and planned as a merge join filtering
    # on n, quadratic in a regency's size (100,000 places: 40 s instead of 2).
    _execute(
        f"""
        WITH vacancies AS ({vacancies}),
             vacancy_runs AS (
                 SELECT DISTINCT v.run_id, v.wave_id, v.regency_id, w.programme_id, w.number
                 FROM vacancies v JOIN {WAVE_TABLE} w ON w.id = v.wave_id),
             candidates AS ({_candidates_sql()}),
             paired AS (
                 SELECT run_id, regency_id, n, MAX(participant_id) AS participant_id,
                        MAX(entry_id) AS entry_id, MAX(rank_in_regency) AS rank_in_regency
                 FROM (SELECT run_id, regency_id, n, participant_id,
                              CAST(NULL AS BIGINT) AS entry_id,
                              CAST(NULL AS INTEGER) AS rank_in_regency
                       FROM vacancies
                       UNION ALL
                       SELECT run_id, regency_id, n, CAST(NULL AS BIGINT), entry_id,
                              rank_in_regency
                       FROM candidates) both_lists
                 GROUP BY run_id, regency_id, n
                 HAVING COUNT(participant_id) = 1 AND COUNT(entry_id) = 1)
        INSERT INTO {PROMOTION_TABLE}
            (run_id, regency_id, wave_entry_id, rank_in_regency, replaces_id, created_at)
        SELECT run_id, regency_id, entry_id, rank_in_regency, participant_id, %s FROM paired
        """,  # noqa: S608 - names from _meta; the CTEs are ours
        [stamp, False, stamp, stamp],
    )
    promotions = Promotion.objects.filter(created_at=now)
    # Counted, not taken from the cursor: SQLite reports no row count for a statement that
    # starts with WITH.
    promoted = promotions.count()
    if not promoted:
        return 0
    history_bulk_insert(Promotion, promotions, actor=None, reason=REASON_PROMOTED, history_date=now)
    entries = WaveEntry.objects.filter(pk__in=promotions.values("wave_entry_id"))
    history_bulk_update(
        entries, actor=None, reason=REASON_PROMOTED, status=WaveEntry.Status.SELECTED
    )
    _withdraw_from_later_waves(promotions, now)
    source = f"""
        SELECT e.id AS entry_id, e.registration_id, e.wave_id, pr.regency_id
        FROM {PROMOTION_TABLE} pr
        JOIN {ENTRY_TABLE} e ON e.id = pr.wave_entry_id
        JOIN {WAVE_TABLE} w ON w.id = e.wave_id
        WHERE pr.created_at = %s AND w.programme_id = %s
    """  # noqa: S608 - names from _meta
    for programme_id in sorted(
        set(
            Wave.objects.filter(pk__in=entries.values("wave_id")).values_list(
                "programme_id", flat=True
            )
        )
    ):
        terms = participant_terms(programme_id=programme_id, now=now)
        _execute(
            participants_insert_sql(source=source),
            [
                terms.amount,
                stamp,
                db_datetime(terms.enrol_by),
                True,
                stamp,
                programme_id,
            ],
        )
    participants_made(
        participants=Participant.objects.filter(selected_at=now, promoted_from_waiting=True),
        actor=None,
        reason=REASON_PROMOTED,
        now=now,
    )
    return promoted


def _withdraw_from_later_waves(promotions: QuerySet[Promotion], now: datetime) -> None:
    """Entries of the promoted in waves still open or in draft (carried there) are
    withdrawn: they hold a place now, and a wave lists only those still waiting for one."""
    later = WaveEntry.objects.filter(
        registration_id__in=promotions.values("wave_entry__registration_id"),
        status__in=[WaveEntry.Status.JOINED, WaveEntry.Status.WAITING],
        wave__status__in=[Wave.Status.DRAFT, Wave.Status.OPEN],
    )
    if not history_bulk_insert(
        WaveEntry,
        later,
        actor=None,
        reason=REASON_WITHDRAWN,
        history_type="-",
        history_date=now,
    ):
        return
    # Deleted in SQL: the ORM's delete() would send a signal (and simple-history a second,
    # reasonless "-" row) per entry. ``carried_from`` is SET_NULL, done here as Django would.
    ids_sql, params = later.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ENTRY_TABLE} SET carried_from_id = NULL "  # noqa: S608 - names from _meta
            f"WHERE carried_from_id IN (SELECT * FROM ({ids_sql}) ids)",
            params,
        )
        cursor.execute(
            f"DELETE FROM {ENTRY_TABLE} WHERE id IN (SELECT * FROM ({ids_sql}) ids)",  # noqa: S608
            params,
        )


@transaction.atomic
def participants_revoke_overdue(*, now: datetime | None = None) -> RevocationSummary:
    """Revoke every participant past ``enrol_by`` who never enrolled, and promote the next on
    each regency's waiting list into the places. Set-based, one transaction; the SMS are sent
    by the notices job, queued with this transaction's commit. Safe to run again (a second
    run finds nobody overdue)."""
    now = now or timezone.now()
    revoked = _revoke(now)
    if not revoked:
        return RevocationSummary(0, 0, 0, now)
    stamp = db_datetime(now)
    _block(now)
    _notices(
        f"SELECT id FROM {PARTICIPANT_TABLE} WHERE status = {REVOKED} AND revoked_at = %s",  # noqa: S608
        [stamp],
        Notice.Kind.REVOKED,
        now,
    )
    promoted = _promote(now)
    if promoted:
        _notices(
            f"SELECT id FROM {PARTICIPANT_TABLE} "  # noqa: S608 - names from _meta
            "WHERE selected_at = %s AND promoted_from_waiting = %s",
            [stamp, True],
            Notice.Kind.PROMOTED,
            now,
        )
    from prakerja.enrolment.tasks import notices_send_job

    enqueue_with_transaction(notices_send_job, lease_id=0)
    summary = RevocationSummary(revoked, promoted, revoked - promoted, now)
    logger.info(
        "overdue participants revoked",
        extra={"revoked": revoked, "promoted": promoted, "unfilled": summary.unfilled},
    )
    return summary
