"""Hundreds of participants racing for the last seats on a real PostgreSQL server: no seat is
sold twice, no balance goes below zero or pays for two courses, and the ledger adds up.

300 participants each try to buy two of three batches at once (their balance pays for one),
through the service, from 40 threads with a connection each (the server's 100 connections are
shared with other test runs; 40 at once keep every row contended). 600 attempts for 18 seats.
Transactional (the threads must see each other's commits); the regions are reloaded after the
module, as in the other concurrency tests.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from prakerja.core.errors import ApplicationError
from prakerja.enrolment.models import Enrolment, LedgerEntry, Participant
from prakerja.enrolment.selectors import ledger_mismatches
from prakerja.enrolment.services.enrolments import batch_get, enrolment_create
from prakerja.enrolment.testing import make_batch, make_course, published_selection
from prakerja.regions.models import Province, Regency
from prakerja.training.models import CourseBatch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARTICIPANTS = 300
CONNECTIONS = 40
PRICE = 600_000


@pytest.fixture(scope="module", autouse=True)
def regions_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load(force=True)


def test_hundreds_racing_for_the_last_seats_never_oversell_or_overspend() -> None:
    Province.objects.get_or_create(code="35", defaults={"name": "JAWA TIMUR"})
    Regency.objects.get_or_create(
        code="3578", defaults={"province_id": "35", "name": "KOTA SURABAYA"}
    )
    participants = published_selection(quotas={"3578": PARTICIPANTS}).participants()
    assert len(participants) == PARTICIPANTS
    course = make_course(price=PRICE)
    batches = [
        make_batch(course=course, seats=20, seats_taken=12),
        make_batch(course=course, seats=10, seats_taken=5),
        make_batch(course=course, seats=5, seats_taken=0),
    ]
    seats_left = sum(b.seats - b.seats_taken for b in batches)
    attempts: queue.Queue[tuple[int, int]] = queue.Queue()
    for i, participant in enumerate(participants):
        # Two different batches per participant, interleaved so both run at the same time.
        attempts.put((participant.pk, batches[i % 3].pk))
        attempts.put((participant.pk, batches[(i + 1) % 3].pk))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(CONNECTIONS)

    def worker() -> None:
        try:
            start.wait(timeout=30)
            while True:
                try:
                    participant_id, batch_id = attempts.get_nowait()
                except queue.Empty:
                    return
                participant = Participant.objects.select_related("registration__user").get(
                    pk=participant_id
                )
                try:
                    enrolment_create(
                        actor=participant.registration.user,
                        participant=participant,
                        batch=batch_get(batch_id=batch_id),
                    )
                    outcome = "enrolled"
                except ApplicationError as exc:
                    outcome = exc.code
                except Exception as exc:  # pragma: no cover - shown by the assertion
                    outcome = f"crash: {exc!r}"
                with lock:
                    outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert sum(outcomes.values()) == 2 * PARTICIPANTS, outcomes
    assert set(outcomes) <= {
        "enrolled",
        "enrolment.batch_full",
        "enrolment.balance_too_low",
    }, outcomes
    # Every seat sold, none twice.
    assert outcomes["enrolled"] == seats_left
    for batch in CourseBatch.objects.filter(pk__in=[b.pk for b in batches]):
        live = Enrolment.objects.filter(batch=batch, status="enrolled").count()
        initially = next(b.seats_taken for b in batches if b.pk == batch.pk)
        assert batch.seats_taken == batch.seats == initially + live
    # Nobody paid twice or went below zero; the ledger is the balance.
    per_participant = Counter(Enrolment.objects.values_list("participant_id", flat=True))
    assert max(per_participant.values()) == 1
    assert not Participant.objects.filter(balance__lt=0).exists()
    assert set(Participant.objects.values_list("balance", flat=True)) <= {
        1_000_000,
        1_000_000 - PRICE,
    }
    assert LedgerEntry.objects.filter(reason="enrol").count() == seats_left
    assert ledger_mismatches() == []
