"""The scheduler's decision: which period a job is in, and enqueueing once per period."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from prakerja.core.models import PeriodicRun
from prakerja.core.periodic import (
    DAILY,
    HOURLY,
    SCHEDULE,
    Periodic,
    period_start,
    periodic_enqueue_due,
)

WIB = ZoneInfo("Asia/Jakarta")
PRUNE = Periodic("idempotency_prune", "prakerja.core.tasks.idempotency_prune_periodic", HOURLY)
REMIND = Periodic(
    "appointment_reminders",
    "prakerja.assistance.tasks.appointment_reminders_periodic",
    DAILY,
    dt.time(17, 0),
)


def at(hour: int, minute: int = 0, day: int = 23) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, 30, tzinfo=WIB)


def test_an_hourly_period_starts_on_the_hour() -> None:
    assert period_start(PRUNE, at(9, 59)) == at(9).replace(second=0)
    assert period_start(PRUNE, at(10, 0)) == at(10).replace(second=0)


def test_a_daily_period_starts_at_its_local_time_of_day() -> None:
    # 16.59 WIB is still in yesterday's period; 17.00 starts today's.
    assert period_start(REMIND, at(16, 59)) == at(17, day=22).replace(second=0)
    assert period_start(REMIND, at(17, 0)) == at(17).replace(second=0)
    # The clock the server runs on does not matter: 10.00 UTC is 17.00 WIB.
    utc = dt.datetime(2026, 11, 23, 10, 0, 5, tzinfo=dt.UTC)
    assert period_start(REMIND, utc) == at(17).replace(second=0)


@pytest.mark.django_db
def test_each_period_is_enqueued_once_however_often_the_scheduler_looks() -> None:
    assert periodic_enqueue_due(now=at(17, 1), schedule=(PRUNE, REMIND)) == [
        "idempotency_prune",
        "appointment_reminders",
    ]
    assert periodic_enqueue_due(now=at(17, 40), schedule=(PRUNE, REMIND)) == []
    assert periodic_enqueue_due(now=at(18, 0), schedule=(PRUNE, REMIND)) == ["idempotency_prune"]
    jobs = list(DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", flat=True))
    assert jobs == [
        "prakerja.core.tasks.idempotency_prune_periodic",
        "prakerja.assistance.tasks.appointment_reminders_periodic",
        "prakerja.core.tasks.idempotency_prune_periodic",
    ]
    assert PeriodicRun.objects.count() == 3


@pytest.mark.django_db
def test_the_command_enqueues_every_scheduled_job_once() -> None:
    call_command("scheduler", "--once", verbosity=0)
    call_command("scheduler", "--once", verbosity=0)
    assert DBTaskResult.objects.count() == len(SCHEDULE) == PeriodicRun.objects.count()


@pytest.mark.django_db
def test_the_reminder_run_of_a_period_reminds_of_the_next_days_visits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prakerja.assistance import tasks

    seen: list[dt.date] = []

    def send_for(*, date: dt.date) -> int:
        seen.append(date)
        return 0

    monkeypatch.setattr(tasks, "appointment_reminders_send_for", send_for)
    tasks.appointment_reminders_periodic.call(period=at(17).replace(second=0).isoformat())
    assert seen == [dt.date(2026, 11, 24)]
