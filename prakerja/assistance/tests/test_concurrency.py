"""The booking race on a real PostgreSQL server: many people, one slot, the last seats.

Transactional tests commit for real (the threads must see the rows), and pytest-django flushes
every table afterwards, the region tables loaded once per session included. The module-scoped
fixture below reloads them after that flush, so the tests that run later still find them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from prakerja.accounts.models import User
from prakerja.accounts.testing import make_post
from prakerja.assistance import services
from prakerja.assistance.models import Appointment, Channel, Slot
from prakerja.assistance.testing import make_applicant, make_slot
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Province, Regency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def regions_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    # Module teardown runs after the flush of the last transactional test in this module.
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load(force=True)


@pytest.fixture
def surabaya() -> None:
    # Minimal rows, in case an earlier transactional test already flushed the regions.
    Province.objects.get_or_create(code="35", defaults={"name": "JAWA TIMUR"})
    Regency.objects.get_or_create(
        code="3578", defaults={"province_id": "35", "name": "KOTA SURABAYA"}
    )


def race(workers: int, attempt: Callable[[int], str]) -> list[str]:
    """Run ``attempt(i)`` in ``workers`` threads released at the same instant."""
    barrier = threading.Barrier(workers)
    outcomes: list[str] = [""] * workers

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = attempt(i)
        except ApplicationError as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes[i] = f"crash: {exc!r}"
        finally:
            # Each thread opened its own connection; leave none behind for the flush.
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_bookings_never_overbook_the_last_seats(surabaya: None) -> None:
    post = make_post(regency_code="3578")
    slot = make_slot(post, capacity=5, booked=2)  # three seats left
    applicants: list[User] = [make_applicant() for _ in range(16)]

    def book(i: int) -> str:
        services.appointment_book(
            actor=applicants[i], slot=slot, applicant=applicants[i], channel=Channel.ONLINE
        )
        return "booked"

    outcomes = race(len(applicants), book)

    assert sorted(outcomes).count("booked") == 3, outcomes
    assert sorted(outcomes).count("appointment.slot_full") == 13, outcomes
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 5
    assert Appointment.objects.filter(slot=slot).count() == 3


def test_one_person_booking_twice_at_once_gets_one_seat(surabaya: None) -> None:
    post = make_post(regency_code="3578")
    slots = [make_slot(post, capacity=3, start=dt.time(9 + i)) for i in range(4)]
    siti = make_applicant()

    def book(i: int) -> str:
        services.appointment_book(actor=siti, slot=slots[i], applicant=siti, channel=Channel.ONLINE)
        return "booked"

    outcomes = race(len(slots), book)

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("appointment.already_booked") == 3, outcomes
    # The refused requests gave their seats back when they rolled back.
    assert sum(Slot.objects.filter(post=post).values_list("booked", flat=True)) == 1
    assert Appointment.objects.filter(applicant=siti).count() == 1
