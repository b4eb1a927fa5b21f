"""Lookups beyond the officer's post are capped per officer (issue 11, item 4)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance.console.tests.conftest import NIK_BUDI
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Terlalu banyak pencarian lintas posko dalam satu jam. Tunggu sebentar lalu coba lagi; "
    "pencarian di posko Anda sendiri dengan nomor HP tetap bisa."
)


@pytest.fixture(autouse=True)
def three_per_hour(settings: Any) -> None:
    settings.CONSOLE_LOOKUP_RATE = "3/h"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_refuses_cross_post_lookups_over_the_limit(
    officer: User, malang_registration: Registration
) -> None:
    ani = signed_in(officer)
    for serial in range(201, 203):
        assert ani.post("/petugas/cari/", {"q": fake_nik(serial=serial)}).status_code == 200
    assert ani.post("/petugas/cari/", {"q": NIK_BUDI}).status_code == 200
    logged = PersonalDataAccess.objects.count()

    refused = ani.post("/petugas/cari/", {"q": NIK_BUDI})

    assert refused.status_code == 429
    assert MESSAGE in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # Refused before the lookup: nothing more was read, so nothing more is logged.
    assert PersonalDataAccess.objects.count() == logged


def test_the_api_answers_429_in_the_error_shape_with_retry_after(officer: User) -> None:
    ani = signed_in(officer)

    def lookup(serial: int) -> Any:
        return ani.post(
            "/api/v1/petugas/lookups",
            json.dumps({"query": fake_nik(serial=serial)}),
            content_type="application/json",
        )

    for serial in range(211, 214):
        assert lookup(serial).status_code == 200
    refused = lookup(214)

    assert refused.status_code == 429
    assert refused.json() == {
        "code": "console.lookup_rate_limited",
        "message": MESSAGE,
        "field": "q",
    }
    assert int(refused["Retry-After"]) > 0


def test_the_limit_is_per_officer_and_own_post_lookups_do_not_count(
    officer: User, surabaya_registration: Registration
) -> None:
    ani = signed_in(officer)
    for _ in range(5):
        own = ani.post("/petugas/cari/", {"q": surabaya_registration.reference})
        assert own.status_code == 200
    for serial in range(221, 224):
        assert ani.post("/petugas/cari/", {"q": fake_nik(serial=serial)}).status_code == 200
    assert ani.post("/petugas/cari/", {"q": fake_nik(serial=224)}).status_code == 429

    # A colleague at the same post (same address) still searches.
    colleague = signed_in(make_user(role=Role.OFFICER, post=officer.post))
    assert colleague.post("/petugas/cari/", {"q": fake_nik(serial=224)}).status_code == 200
