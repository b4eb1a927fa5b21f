from __future__ import annotations

import pytest

from prakerja.accounts.models import User
from prakerja.assistance.console.testing import make_registration
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Registration

NIK_SITI = fake_nik(serial=11)
NIK_BUDI = fake_nik(gender="L", serial=12)
PHONE_SITI = "+6281234567811"
PHONE_BUDI = "+6281234567812"


@pytest.fixture
def surabaya_registration(officer: User) -> Registration:
    """Siti, registered with Ani's help at the Surabaya post."""
    return make_registration(
        full_name="Siti Aminah",
        nik=NIK_SITI,
        phone=PHONE_SITI,
        post=officer.post,
        officer=officer,
    )


@pytest.fixture
def malang_registration(other_officer: User) -> Registration:
    """Budi, registered with Budi-the-officer's help at the Malang post."""
    return make_registration(
        full_name="Budi Santoso",
        nik=NIK_BUDI,
        phone=PHONE_BUDI,
        post=other_officer.post,
        officer=other_officer,
        regency_code="3573",
    )
