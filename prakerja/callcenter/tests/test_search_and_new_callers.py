"""The call centre finds a caller by NIK or phone (POSTed, logged, masked) and books a visit
for a caller who has not registered yet (issue 16, item 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.assistance.models import Appointment, Post
from prakerja.assistance.testing import make_slot, next_open_day
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client: Client, callcentre_agent: User) -> Client:
    client.force_login(callcentre_agent)
    return client


def test_a_caller_is_found_by_nik_and_the_search_is_logged(
    agent_client: Client, rina_registration: Registration, callcentre_agent: User
) -> None:
    nik = fake_nik(serial=77)
    rina_registration.person, _created = person_get_or_create(nik=nik)
    rina_registration.save(update_fields=["person"])

    response = agent_client.post("/callcenter/cari/", {"q": nik})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/callcenter/?ref=PJ-7K3M-9Q2X"' in html
    assert "Ri*** Wu***" in html  # masked until the caller confirms who they are
    assert "Rina Wulandari" not in html
    assert nik not in html  # not even echoed back into the search box
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.purpose, access.query_kind, access.found) == (
        callcentre_agent,
        "call_centre_lookup",
        "nik",
        True,
    )


def test_a_caller_is_found_by_phone_and_a_miss_is_logged_too(
    agent_client: Client, rina_registration: Registration
) -> None:
    found = agent_client.post("/callcenter/cari/", {"q": "0812-9876-5432"}).content.decode()
    assert "PJ-7K3M-9Q2X" in found
    missed = agent_client.post("/callcenter/cari/", {"q": "081311112222"}).content.decode()
    assert "Tidak ada pendaftaran dengan data itu" in missed
    assert list(PersonalDataAccess.objects.order_by("pk").values_list("query_kind", "found")) == [
        ("phone", True),
        ("phone", False),
    ]


def test_a_reference_opens_the_registration_and_nonsense_is_told_so(
    agent_client: Client, rina_registration: Registration
) -> None:
    opened = agent_client.post("/callcenter/cari/", {"q": "pj-7k3m-9q2x"})
    assert opened.status_code == 302
    assert opened["Location"] == "/callcenter/?ref=PJ-7K3M-9Q2X"
    bad = agent_client.post("/callcenter/cari/", {"q": "halo"})
    assert bad.status_code == 400
    assert "Masukkan NIK (16 angka), nomor HP, atau nomor pendaftaran" in bad.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_others_cannot_search(client: Client, officer: User) -> None:
    client.force_login(officer)
    assert client.post("/callcenter/cari/", {"q": fake_nik(serial=78)}).status_code == 403


def test_a_visit_is_booked_for_a_caller_who_has_not_registered(
    agent_client: Client, surabaya_post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    day = next_open_day(surabaya_post)
    slot = make_slot(surabaya_post, date=day, start=dt.time(10, 0))
    page = agent_client.get(
        "/callcenter/janji-temu/",
        {"baru": "1", "posko": surabaya_post.code, "date": day.isoformat()},
    ).content.decode()
    assert 'name="phone"' in page
    data = {
        "baru": "1",
        "posko": surabaya_post.code,
        "date": day.isoformat(),
        "slot": slot.pk,
        "submission_token": "new-caller-1",
    }

    missing = agent_client.post("/callcenter/janji-temu/", data)
    assert missing.status_code == 400
    assert "Isi nomor HP penelepon" in missing.content.decode()
    assert not Appointment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = agent_client.post(
            "/callcenter/janji-temu/",
            {**data, "phone": "0813 5555 1234", "submission_token": "new-caller-2"},
        )
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.registration is None
    assert appointment.channel == "callcentre"
    assert appointment.applicant.role == Role.APPLICANT
    assert str(appointment.applicant.phone) == "+6281355551234"
    sms = OutboxMessage.objects.get(recipient="+6281355551234").body
    assert "10.00 WIB" in sms and surabaya_post.name in sms


def test_neither_a_reference_nor_a_new_caller_is_refused(
    agent_client: Client, surabaya_post: Post
) -> None:
    day = next_open_day(surabaya_post)
    slot = make_slot(surabaya_post, date=day)
    response = agent_client.post(
        "/callcenter/janji-temu/",
        {
            "posko": surabaya_post.code,
            "date": day.isoformat(),
            "slot": slot.pk,
            "submission_token": "none-1",
        },
    )
    assert response.status_code == 400
    assert "centang “belum mendaftar”" in response.content.decode()
    assert not Appointment.objects.exists()


def test_garbage_in_the_search_is_a_message_not_a_crash(agent_client: Client) -> None:
    for text in ("PJ-2222\x00-2222", "x" * 500, ""):
        response = agent_client.post("/callcenter/cari/", {"q": text})
        assert response.status_code == 400
        assert "Masukkan NIK (16 angka)" in response.content.decode()
    assert not PersonalDataAccess.objects.exists()
