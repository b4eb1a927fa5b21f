"""The console's register form is no NIK oracle either (issue 11, item 4).

NIKs typed there count against the officer's lookup budget, a "taken" answer is logged as a
cross-post lookup and, repeated, as a security event; in the wizard an officer's different
NIKs are capped across all the registrations they edit.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.assistance.console.tests.conftest import NIK_BUDI
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db

REGISTER = "/petugas/daftarkan/"
LIMIT_MESSAGE = (
    "Terlalu banyak NIK yang diperiksa dalam satu jam. Tunggu sebentar lalu coba lagi, atau "
    "daftarkan dengan nomor HP saja dan isi NIK di langkah identitas."
)
TAKEN_MESSAGE = (
    "NIK ini sudah terdaftar dengan akun lain. Satu NIK hanya dapat mendaftar satu kali."
)
WIZARD_LIMIT_MESSAGE = "Terlalu banyak NIK berbeda yang dicoba."


@pytest.fixture
def ani(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


def register(client: Client, *, phone: str, nik: str = "") -> Any:
    return client.post(
        REGISTER, {"phone": phone, "nik": nik, "submission_token": str(uuid.uuid4())}
    )


def test_nik_taken_elsewhere_is_logged_as_a_cross_post_lookup(
    ani: Client, officer: User, malang_registration: Registration
) -> None:
    response = register(ani, phone="0812 3456 7801", nik=NIK_BUDI)

    assert TAKEN_MESSAGE in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.purpose, access.query_kind, access.found) == (
        officer,
        PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
        PersonalDataAccess.QueryKind.NIK,
        True,
    )
    assert access.person == malang_registration.person
    assert access.reference == malang_registration.reference
    # Nothing was made for the phone typed.
    assert not User.objects.filter(phone="+6281234567801").exists()


def test_repeated_taken_answers_are_a_security_event_without_the_nik(
    ani: Client, officer: User, malang_registration: Registration, caplog: Any
) -> None:
    with caplog.at_level(logging.WARNING, logger="prakerja.security"):
        register(ani, phone="0812 3456 7801", nik=NIK_BUDI)
        assert not [r for r in caplog.records if r.msg == "security.nik_taken_repeated"]
        register(ani, phone="0812 3456 7802", nik=NIK_BUDI)

    [event] = [r for r in caplog.records if r.msg == "security.nik_taken_repeated"]
    assert (event.actor, event.count) == (officer.pk, 2)  # type: ignore[attr-defined]
    assert NIK_BUDI not in str(event.__dict__)


def test_nik_tried_in_the_register_form_share_the_officers_lookup_budget(
    ani: Client, malang_registration: Registration, settings: Any
) -> None:
    settings.CONSOLE_LOOKUP_RATE = "3/h"
    # A cross-post search spends one; two free NIKs registered spend two more.
    assert ani.post("/petugas/cari/", {"q": fake_nik(serial=401)}).status_code == 200
    assert register(ani, phone="0812 3456 7811", nik=fake_nik(serial=402)).status_code == 302
    assert register(ani, phone="0812 3456 7812", nik=fake_nik(serial=403)).status_code == 302
    logged = PersonalDataAccess.objects.count()
    users = User.objects.count()

    refused = register(ani, phone="0812 3456 7813", nik=NIK_BUDI)

    assert refused.status_code == 429
    assert LIMIT_MESSAGE in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # Refused before the lookup: no answer, no account, nothing more logged.
    assert TAKEN_MESSAGE not in refused.content.decode()
    assert PersonalDataAccess.objects.count() == logged
    assert User.objects.count() == users
    # The same NIK again is no new try; a phone-only registration still goes through.
    assert register(ani, phone="0812 3456 7814", nik=fake_nik(serial=403)).status_code == 200
    assert register(ani, phone="0812 3456 7815").status_code == 302


def test_an_officer_cannot_cycle_niks_across_many_drafts(ani: Client, settings: Any) -> None:
    settings.NIK_CHANGE_RATE_PER_STAFF = "3/h"
    drafts = []
    for n in range(3):
        assert register(ani, phone=f"0812 3456 782{n}").status_code == 302
        drafts.append(Registration.objects.latest("pk"))

    def identity(registration: Registration, serial: int) -> Any:
        return ani.post(
            f"/daftar/{registration.reference}/identity/",
            {
                "nik": fake_nik(serial=serial),
                "kk": fake_kk(serial=serial),
                "full_name": "Sri Wahyuni",
                "birth_place": "Surabaya",
                "birth_date": "1990-08-17",
                "gender": "P",
                "submission_token": str(uuid.uuid4()),
            },
        )

    # Two on the first draft, one on the second: each draft is well under its own 5.
    assert identity(drafts[0], 411).status_code == 302
    assert identity(drafts[0], 412).status_code == 302
    assert identity(drafts[1], 413).status_code == 302

    refused = identity(drafts[2], 414)

    assert refused.status_code == 429
    assert WIZARD_LIMIT_MESSAGE in refused.content.decode()
