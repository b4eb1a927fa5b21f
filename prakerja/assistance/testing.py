"""Factories for appointments and the queue, for tests of every app (no pytest import)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance.models import Appointment, Channel, Post, Slot

_phones = itertools.count(10000001)


def next_open_day(post: Post | None = None, *, after: dt.date | None = None) -> dt.date:
    """The first day after ``after`` (default today) on which the post is open: an open
    weekday that is not a national holiday (nor a closure day of ``post``)."""
    from prakerja.assistance.models import Holiday

    weekdays = post.open_weekdays if post is not None else "12345"
    closed = Holiday.objects.filter(post=None) | Holiday.objects.filter(post=post)
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while str(day.isoweekday()) not in weekdays or closed.filter(date=day).exists():
        day += dt.timedelta(days=1)
    return day


def make_slot(
    post: Post,
    *,
    date: dt.date | None = None,
    start: dt.time = dt.time(9, 0),
    minutes: int = 30,
    capacity: int = 2,
    booked: int = 0,
) -> Slot:
    """A slot created directly (no window checks), e.g. for today in a queue test."""
    end = (dt.datetime.combine(dt.date(2000, 1, 3), start) + dt.timedelta(minutes=minutes)).time()
    return Slot.objects.create(
        post=post,
        date=date or next_open_day(post),
        start=start,
        end=end,
        capacity=capacity,
        booked=booked,
    )


def make_applicant(**fields: object) -> User:
    """An applicant with a unique Indonesian mobile number (for reminder SMS)."""
    fields.setdefault("phone", f"+62812{next(_phones)}")
    return make_user(role=Role.APPLICANT, **fields)  # type: ignore[arg-type]


def make_appointment(
    slot: Slot,
    *,
    applicant: User | None = None,
    status: str = Appointment.Status.BOOKED,
    channel: str = Channel.ONLINE,
) -> Appointment:
    """An appointment written directly, bypassing the booking rules (dates in the past …)."""
    applicant = applicant or make_applicant()
    if status in Appointment.ACTIVE_STATUSES:
        Slot.objects.filter(pk=slot.pk).update(booked=slot.booked + 1)
        slot.refresh_from_db()
    return Appointment.objects.create(
        slot=slot,
        post=slot.post,
        date=slot.date,
        applicant=applicant,
        booked_by=applicant,
        channel=channel,
        status=status,
    )
