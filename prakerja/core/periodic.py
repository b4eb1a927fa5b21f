"""Periodic jobs: what runs on a schedule, and the one function that decides what is due.

``manage.py scheduler`` (started beside ``db_worker`` by ``scripts/serve.sh``; see
docs/OPERATIONS.md) calls ``periodic_enqueue_due`` every half minute. For each job it works
out the start of the job's current period (``period_start``) and claims that period with an
INSERT into ``PeriodicRun``; only the caller whose INSERT wins enqueues the job, in the same
transaction. So a job is enqueued once per period however many schedulers run, and a
scheduler that was down catches up with the latest period only (these jobs cover what was
missed anyway: pruning is by age, reminders are claimed per appointment).

Each job is a django-tasks task taking ``period`` (ISO datetime of the period start, in
Asia/Jakarta), so a job can derive its arguments from the period and a rerun of the same
period does the same work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from prakerja.core.models import PeriodicRun
from prakerja.core.tasks import enqueue_with_transaction


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks task taking ``period: str``
    every: dt.timedelta  # one hour or one day
    at: dt.time = dt.time(0, 0)  # daily jobs: local time of day the period starts


HOURLY = dt.timedelta(hours=1)
DAILY = dt.timedelta(days=1)

SCHEDULE: tuple[Periodic, ...] = (
    # Idempotency keys and form tokens live 24 hours; an hourly sweep keeps the table small.
    Periodic("idempotency_prune", "prakerja.core.tasks.idempotency_prune_periodic", HOURLY),
    # Sign-in attempts past the lockout's cool-off (axes swept them at every sign-in).
    Periodic(
        "lockout_attempts_prune",
        "prakerja.accounts.tasks.lockout_attempts_prune_periodic",
        HOURLY,
    ),
    # Finished job rows (receipt SMS, reminders) older than 14 days, at night.
    Periodic(
        "task_results_prune",
        "prakerja.core.tasks.task_results_prune_periodic",
        DAILY,
        dt.time(2, 0),
    ),
    # Uploaded lists and rejected-row cells past LABOURDATA_RETENTION_DAYS (UU PDP), at night.
    Periodic(
        "labourdata_retention",
        "prakerja.labourdata.tasks.import_data_retention_periodic",
        DAILY,
        dt.time(2, 30),
    ),
    # Tomorrow's visit reminders, in the late afternoon: the evening before the visit.
    Periodic(
        "appointment_reminders",
        "prakerja.assistance.tasks.appointment_reminders_periodic",
        DAILY,
        dt.time(17, 0),
    ),
    # Participants past their deadline lose the place; the waiting list fills it (at night,
    # so that a deadline's last day is the whole day).
    Periodic(
        "participants_revoke_overdue",
        "prakerja.enrolment.tasks.participants_revoke_overdue_periodic",
        DAILY,
        dt.time(0, 30),
    ),
    # Instalments whose condition or date has come fall due, before the treasury's day starts.
    Periodic(
        "instalments_make_due",
        "prakerja.payments.tasks.instalments_make_due_periodic",
        DAILY,
        dt.time(1, 0),
    ),
    # Fraud and error signals over the whole tables, at night (issue 15).
    Periodic("fraud_signals", "prakerja.fraud.tasks.fraud_signals_periodic", DAILY, dt.time(3, 0)),
    # The dashboard's daily counts: the days touched since the last refresh, every hour ...
    Periodic("reports_refresh", "prakerja.reports.tasks.daily_counts_refresh_periodic", HOURLY),
    # ... and every day rebuilt at night, for what no timestamp reveals (a deleted row).
    Periodic(
        "reports_rebuild",
        "prakerja.reports.tasks.daily_counts_rebuild_periodic",
        DAILY,
        dt.time(3, 30),
    ),
)


def period_start(job: Periodic, now: dt.datetime) -> dt.datetime:
    """The start of ``job``'s period that contains ``now`` (aware), in local time."""
    local = timezone.localtime(now)
    if job.every == HOURLY:
        return local.replace(minute=0, second=0, microsecond=0)
    if job.every == DAILY:
        start = local.replace(hour=job.at.hour, minute=job.at.minute, second=0, microsecond=0)
        return start if start <= local else start - DAILY
    raise ValueError(f"unsupported period {job.every} for {job.name}")


def periodic_enqueue_due(
    *, now: dt.datetime | None = None, schedule: tuple[Periodic, ...] = SCHEDULE
) -> list[str]:
    """Enqueue every job whose current period nobody has claimed yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in schedule:
        period = period_start(job, now)
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=job.name, period=period)
                enqueue_with_transaction(import_string(job.task), period=period.isoformat())
        except IntegrityError:
            continue  # this period is claimed: enqueued already, by us or another scheduler
        enqueued.append(job.name)
    return enqueued
