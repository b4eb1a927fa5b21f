"""The incentive schedule as data, the surveys, and the one set-based job that makes
instalments due.

Defaults per programme (as in 2020): 4 monthly instalments of Rp 600.000 after the first
completed course, and Rp 50.000 after each of 3 short surveys. A manager changes them as data
(the admin); a change applies to instalments made after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.core.errors import ApplicationError, NotFound
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.payments.errors import PaymentError
from prakerja.payments.models import IncentiveRule, Instalment, PaymentSettings, Survey
from prakerja.payments.models import SurveyResponse as Response
from prakerja.payments.services.ledger import movements_from_instalments
from prakerja.payments.sql import date_plus_days, db_time, literal, local_date, numbers, table
from prakerja.waves.models import Wave

_SATISFACTION = ["Sangat puas", "Puas", "Biasa saja", "Tidak puas"]
DEFAULT_SURVEYS: tuple[tuple[str, int, list[dict[str, Any]]], ...] = (
    (
        "Survei 1: pelatihan yang Anda ikuti",
        0,
        [
            {
                "key": "satisfaction",
                "text": "Seberapa puas Anda dengan pelatihannya?",
                "choices": _SATISFACTION,
            },
            {
                "key": "useful",
                "text": "Apakah pelatihan ini berguna untuk pekerjaan Anda?",
                "choices": ["Ya", "Sebagian", "Tidak"],
            },
        ],
    ),
    (
        "Survei 2: pekerjaan Anda sekarang",
        30,
        [
            {
                "key": "working",
                "text": "Apakah Anda sudah bekerja atau berusaha sekarang?",
                "choices": ["Bekerja", "Berusaha sendiri", "Belum"],
            },
        ],
    ),
    (
        "Survei 3: penggunaan insentif",
        60,
        [
            {
                "key": "use",
                "text": "Untuk apa insentif paling banyak Anda gunakan?",
                "choices": ["Kebutuhan pokok", "Modal usaha", "Biaya mencari kerja", "Lainnya"],
            },
        ],
    ),
)


def payment_settings_get(*, programme_id: int) -> PaymentSettings:
    """The programme's payment settings, its incentive rules and its surveys, created with
    the defaults on first use."""
    settings, created = PaymentSettings.objects.get_or_create(programme_id=programme_id)
    if created or not IncentiveRule.objects.filter(programme_id=programme_id).exists():
        _defaults_create(programme_id)
    return settings


def _defaults_create(programme_id: int) -> None:
    with transaction.atomic():
        IncentiveRule.objects.get_or_create(
            programme_id=programme_id,
            kind=IncentiveRule.Kind.COMPLETION,
            defaults={
                "label": "Insentif pascapelatihan",
                "amount": 600_000,
                "count": 4,
                "interval_days": 30,
            },
        )
        for number, (title, after, questions) in enumerate(DEFAULT_SURVEYS, start=1):
            survey, _created = Survey.objects.get_or_create(
                programme_id=programme_id,
                number=number,
                defaults={"title": title, "questions": questions, "opens_after_days": after},
            )
            IncentiveRule.objects.get_or_create(
                programme_id=programme_id,
                kind=IncentiveRule.Kind.SURVEY,
                survey=survey,
                defaults={"label": f"Insentif survei {number}", "amount": 50_000, "count": 1},
            )


def _participant_for(actor: Any) -> Participant:
    participant = (
        Participant.objects.filter(registration__user=actor, status=Participant.Status.ACTIVE)
        .select_related("registration", "wave")
        .order_by("-id")
        .first()
    )
    if participant is None:
        raise ApplicationError(
            PaymentError.NOT_PARTICIPANT,
            _("Halaman ini untuk peserta pelatihan yang aktif."),
            status=403,
        )
    return participant


def first_completion(participant: Participant) -> datetime | None:
    row = (
        Enrolment.objects.filter(participant=participant, status=Enrolment.Status.COMPLETED)
        .order_by("completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    return row


def survey_answer(*, actor: Any, survey_id: int, answers: dict[str, str]) -> Response:
    """The participant answers one survey, once. Every question needs one of its choices.
    Opens after the first completed course (plus the survey's delay)."""
    participant = _participant_for(actor)
    survey = Survey.objects.filter(pk=survey_id, programme_id=participant.wave.programme_id).first()
    if survey is None:
        raise NotFound(PaymentError.SURVEY_NOT_FOUND, _("Survei tidak ditemukan."))
    completed = first_completion(participant)
    opens = (
        None
        if completed is None
        else timezone.localdate(completed) + timedelta(days=survey.opens_after_days)
    )
    if opens is None or opens > timezone.localdate():
        raise ApplicationError(
            PaymentError.SURVEY_NOT_FOUND,
            _("Survei ini belum dibuka untuk Anda."),
            status=409,
        )
    clean: dict[str, str] = {}
    for question in survey.questions:
        value = (answers.get(question["key"]) or "").strip()
        if value not in question["choices"]:
            raise ApplicationError(
                PaymentError.SURVEY_INVALID,
                _("Pilih salah satu jawaban untuk: %(q)s") % {"q": question["text"]},
                field=question["key"],
                status=422,
            )
        clean[question["key"]] = value
    with transaction.atomic():
        response, created = Response.objects.get_or_create(
            participant=participant, survey=survey, defaults={"answers": clean}
        )
    if not created:
        raise ApplicationError(
            PaymentError.SURVEY_ANSWERED, _("Survei ini sudah Anda isi."), status=409
        )
    return response


@dataclass(frozen=True)
class DueSummary:
    created: int
    became_due: int


def instalments_make_due(*, actor: Any | None = None, today: date | None = None) -> DueSummary:
    """Make every instalment whose condition is met and whose date has come, for every
    programme, as "due" with its ledger movement: a constant number of statements per rule,
    idempotent (the unique (participant, rule, sequence) skips what exists)."""
    today = today or timezone.localdate()
    now = timezone.now()
    created = 0
    programme_ids = set(Wave.objects.values_list("programme_id", flat=True).distinct())
    with transaction.atomic():
        for programme_id in sorted(programme_ids):
            payment_settings_get(programme_id=programme_id)
            for rule in IncentiveRule.objects.filter(programme_id=programme_id):
                created += _instalments_insert(rule, now, today)
        # An instalment is made on the day it falls due, already "due"; its movement is found
        # by this run's timestamp. (Later instalments are shown to the participant as
        # scheduled, from the rule, by ``payments.selectors``, and are not rows yet: a million
        # participants' first run writes a million rows, not four.)
        became_due = movements_from_instalments(
            kind="due",
            where=f"i.created_at = %s AND i.status = {literal(Instalment.Status.DUE)}",
            params=[db_time(now)],
            actor=actor,
            now=now,
        )
    return DueSummary(created=created, became_due=became_due)


def _instalments_insert(rule: IncentiveRule, now: datetime, today: date) -> int:
    participant, enrolment, response, wave = (
        table(Participant),
        table(Enrolment),
        table(Response),
        table(Wave),
    )
    columns = (
        "participant_id, rule_id, sequence, amount, due_on, status, problem, regency_id, "
        "created_at, paid_at"
    )
    due_now = literal(Instalment.Status.DUE)
    active = literal(Participant.Status.ACTIVE)
    if rule.kind == IncentiveRule.Kind.COMPLETION:
        completed = literal(Enrolment.Status.COMPLETED)
        due = date_plus_days(local_date("c.first_at"), f"(s.n - 1) * {int(rule.interval_days)}")
        source = f"""            FROM {participant} p
            JOIN {wave} w ON w.id = p.wave_id AND w.programme_id = %s
            JOIN (SELECT participant_id, MIN(completed_at) AS first_at FROM {enrolment}
                  WHERE status = {completed} GROUP BY participant_id) c
              ON c.participant_id = p.id
            CROSS JOIN ({numbers(rule.count)}) s
            WHERE p.status = {active} AND {due} <= %s
        """  # noqa: S608 - names and enum values of the models only
        select = f"SELECT p.id, %s, s.n, %s, {due}, {due_now}, '', p.regency_id, %s, NULL"
        params = [rule.pk, rule.amount, db_time(now), rule.programme_id, today]
    else:
        due = local_date("r.submitted_at")
        source = f"""            FROM {response} r
            JOIN {participant} p ON p.id = r.participant_id
            JOIN {wave} w ON w.id = p.wave_id AND w.programme_id = %s
            WHERE r.survey_id = {int(rule.survey_id or 0)} AND p.status = {active}
        """
        select = f"SELECT p.id, %s, 1, %s, {due}, {due_now}, '', p.regency_id, %s, NULL"
        params = [rule.pk, rule.amount, db_time(now), rule.programme_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Instalment)} ({columns}) {select} {source} ON CONFLICT DO NOTHING",
            params,
        )
        return int(cursor.rowcount)
