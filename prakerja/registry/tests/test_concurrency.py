"""The per-family-card cap under concurrent submissions (PostgreSQL: real row locks).

Without the programme lock in ``registration_submit``, two members of one KK submitting at
the same moment each count the other as not yet submitted and both pass a cap of 1.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from prakerja.registry.models import EligibilityRule, Programme, Registration
from prakerja.registry.services import registration_submit
from prakerja.registry.tests.conftest import complete_registration, new_applicant


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
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
