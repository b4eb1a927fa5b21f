"""Background jobs of the assistance app (django-tasks): just another caller of services."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from prakerja.assistance.services import appointment_reminders_send_for


@task()
def appointment_reminders_send(date: str) -> int:
    """Send the SMS reminder of every booked appointment on ``date`` (ISO ``YYYY-MM-DD``).

    Safe to run twice (a retried job, a cron run by hand): each appointment is claimed once.
    Returns how many reminders were sent by this run.
    """
    return appointment_reminders_send_for(date=dt.date.fromisoformat(date))


@task()
def appointment_reminders_periodic(period: str) -> int:
    """The scheduled run (``core.periodic``, daily at 17.00 WIB): reminders for the day after
    the period's date. Rerunning a period sends nothing twice (each appointment is claimed)."""
    day = dt.datetime.fromisoformat(period).date() + dt.timedelta(days=1)
    return appointment_reminders_send_for(date=day)
