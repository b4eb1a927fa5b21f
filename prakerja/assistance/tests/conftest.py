from __future__ import annotations

import datetime as dt

import pytest

from prakerja.accounts.models import User
from prakerja.assistance.models import Post, Slot
from prakerja.assistance.testing import make_applicant, make_slot, next_open_day
from prakerja.registry.models import Programme, Registration


@pytest.fixture
def open_day(surabaya_post: Post) -> dt.date:
    return next_open_day(surabaya_post)


@pytest.fixture
def slot(surabaya_post: Post, open_day: dt.date) -> Slot:
    """09.00 at the Surabaya post on its next open day, two seats."""
    return make_slot(surabaya_post, date=open_day, capacity=2)


@pytest.fixture
def siti(db: None) -> User:
    """Siti, an applicant with a phone number."""
    return make_applicant(username="siti", phone="+6281234567890")


@pytest.fixture
def siti_registration(siti: User) -> Registration:
    programme, _ = Programme.objects.get_or_create(
        code="prakerja-uji", defaults={"name": "Prakerja uji"}
    )
    return Registration.objects.create(reference="SITI2345", programme=programme, user=siti)
