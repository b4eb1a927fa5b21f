"""The demo data command: participants of published waves, an enrolment or two when the
catalogue has batches; harmless when either is missing, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from prakerja.enrolment.demo import enrolment_demo_load
from prakerja.enrolment.models import Enrolment, LedgerEntry, Participant
from prakerja.enrolment.selectors import ledger_mismatches
from prakerja.enrolment.testing import make_batch, published_selection
from prakerja.waves.demo import waves_demo_load

pytestmark = pytest.mark.django_db


def test_without_a_published_wave_or_courses_it_makes_nothing_and_says_why() -> None:
    waves_demo_load()  # the demo's wave is open, not published
    out = StringIO()
    call_command("enrolment_demo_load", stdout=out)
    assert Participant.objects.count() == 0
    assert "Belum ada gelombang yang diumumkan" in out.getvalue()


def test_with_a_published_wave_and_batches_it_enrols_one_or_two_once() -> None:
    selection = published_selection(quotas={"3578": 3})
    LedgerEntry.objects.all().delete()
    Participant.history.all().delete()
    Participant.objects.all().delete()  # published before the app: the backfill's case
    make_batch(price=2_000_000)  # more than a balance
    make_batch(price=500_000, seats=1)
    make_batch(price=750_000)

    first = enrolment_demo_load()
    again = enrolment_demo_load()

    assert (first.participants_made, first.participants, first.enrolled) == (3, 3, 2)
    assert (again.participants_made, again.enrolled) == (0, 0)
    assert len(selection.participants()) == 3
    assert sorted(Enrolment.objects.values_list("price", flat=True)) == [500_000, 750_000]
    assert ledger_mismatches() == []
