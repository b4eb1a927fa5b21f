"""Two submissions of one NIK at the same moment make one person (PostgreSQL: real row locks).

The second insert waits on the first one's uncommitted unique index entry; when that commits,
``INSERT … ON CONFLICT DO NOTHING`` writes nothing and the second caller gets the first row,
inside its own transaction, which stays usable (no savepoint).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import fake_nik


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_nik_at_the_same_moment_makes_one_person() -> None:
    nik = fake_nik(serial=77)
    first_inserted, release = threading.Event(), threading.Event()
    results: dict[str, tuple[int, bool]] = {}
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                person, created = person_get_or_create(nik=nik)
                results["first"] = (person.pk, created)
                first_inserted.set()
                release.wait(timeout=20)
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            first_inserted.set()
            connection.close()

    def second() -> None:
        try:
            with transaction.atomic():
                person, created = person_get_or_create(nik=nik)
                results["second"] = (person.pk, created)
                # The transaction is still usable after the refused insert.
                results["count"] = (Person.objects.filter(pk=person.pk).count(), True)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_inserted.wait(timeout=10)
    two = threading.Thread(target=second)
    two.start()
    try:
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_a_lock(), "the second insert did not wait for the first"
    finally:
        release.set()
        one.join(timeout=30)
        two.join(timeout=30)
    assert failures == []
    assert results["first"][1] is True and results["second"] == (results["first"][0], False)
    assert results["count"] == (1, True)
    index = crypto.blind_index(nik, purpose="nik")
    assert Person.objects.filter(nik_index=index).count() == 1
    assert Person.history.filter(nik_index=index, history_type="+").count() == 1  # type: ignore[attr-defined]
