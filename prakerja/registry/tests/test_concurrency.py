"""The per-family-card cap under concurrent submissions (PostgreSQL: real row locks).

Without the programme lock in ``registration_submit``, two members of one KK submitting at
the same moment each count the other as not yet submitted and both pass a cap of 1.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from prakerja.registry.models import (
    EligibilityRule,
    FamilyCardCount,
    Programme,
    Registration,
)
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.tests.conftest import complete_registration, new_applicant


@pytest.fixture
def regions(transactional_db: None) -> None:
    # A transactional test flushes every table when it ends, the regions the root conftest
    # loads once per session included: load them again (a no-op while they are there).
    from prakerja.regions.services import regions_load

    regions_load()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("regions")
def test_concurrent_submissions_on_one_family_card_never_exceed_the_cap(
    programme: Programme,
) -> None:
    EligibilityRule.objects.filter(programme=programme, kind="kk_cap").update(parameter={"max": 1})
    drafts = []
    for serial in (1, 2, 3, 4):
        user = new_applicant()
        drafts.append((user, complete_registration(user, serial=serial)))
    barrier = threading.Barrier(len(drafts))
    failures: list[BaseException] = []

    def submit(user: object, registration: Registration) -> None:
        try:
            barrier.wait(timeout=10)
            registration_submit(actor=user, registration=registration)  # type: ignore[arg-type]
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=draft) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == ["ineligible", "ineligible", "ineligible", "submitted"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("regions")
def test_a_submission_on_another_family_card_does_not_wait_for_an_open_one(
    programme: Programme,
) -> None:
    holder, other = new_applicant(), new_applicant()
    held = complete_registration(holder, serial=1, kk_serial=7)
    free = complete_registration(other, serial=2, kk_serial=8)
    locked, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def submit_and_hold() -> None:
        try:
            # The outer transaction keeps KK 7's counter row (and the registration) locked.
            with transaction.atomic():
                registration_submit(actor=holder, registration=held)
                locked.set()
                release.wait(timeout=20)
        except BaseException as exc:
            failures.append(exc)
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=submit_and_hold)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            # Waiting on any lock at all fails the submission instead of hanging the test.
            cursor.execute("SET lock_timeout = '3s'")
        assert registration_submit(actor=other, registration=free).status == "submitted"
    finally:
        release.set()
        thread.join(timeout=30)
    assert failures == []
    assert FamilyCardCount.objects.filter(programme=programme).count() == 2
