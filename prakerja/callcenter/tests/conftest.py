from __future__ import annotations

import pytest

from prakerja.accounts.models import User
from prakerja.assistance.models import CallCentreLine
from prakerja.assistance.testing import make_applicant
from prakerja.registry.models import Programme, Registration


@pytest.fixture
def line(db: None) -> CallCentreLine:
    return CallCentreLine.objects.get_or_create(
        number="031-8293097", defaults={"name": "Call Center Disnakertrans Jatim 1"}
    )[0]


@pytest.fixture
def caller(db: None) -> User:
    """Rina, an applicant who phones the call centre."""
    return make_applicant(username="rina", full_name="Rina Wulandari", phone="+6281298765432")


@pytest.fixture
def rina_registration(caller: User) -> Registration:
    programme, _ = Programme.objects.get_or_create(
        code="prakerja-uji", defaults={"name": "Prakerja uji"}
    )
    return Registration.objects.create(
        reference="PJ-7K3M-9Q2X",
        programme=programme,
        user=caller,
        full_name="Rina Wulandari",
        phone="+6281298765432",
    )
