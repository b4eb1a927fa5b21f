from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.assistance.models import Appointment, CallCentreLine, Post
from prakerja.assistance.testing import make_slot, next_open_day
from prakerja.callcenter.models import CallLog, Ticket
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client: Client, callcentre_agent: User) -> Client:
    client.force_login(callcentre_agent)
    return client


def test_the_console_opens_for_agents_and_managers(
    client: Client, callcentre_agent: User, manager: User
) -> None:
    for user in (callcentre_agent, manager):
        client.force_login(user)
        response = client.get("/callcenter/")
        assert response.status_code == 200
        assert "Konsol call center" in response.content.decode()


def test_the_console_is_closed_to_other_roles(
    client: Client, officer: User, applicant: User
) -> None:
    assert client.get("/callcenter/").status_code == 302  # to sign-in
    for user in (officer, applicant):
        client.force_login(user)
        assert client.get("/callcenter/").status_code == 403


def test_the_lookup_shows_a_masked_summary(
    agent_client: Client, rina_registration: Registration
) -> None:
    html = agent_client.get("/callcenter/", {"ref": "pj7k3m9q2x"}).content.decode()
    assert "PJ-7K3M-9Q2X" in html
    assert "Rina Wulandari" in html
    assert "+62*******432" in html
    assert "6281298765432" not in html


def test_an_unknown_reference_is_said_next_to_the_field(agent_client: Client) -> None:
    html = agent_client.get("/callcenter/", {"ref": "PJ-2222-2222"}).content.decode()
    assert "Pendaftaran dengan nomor ini tidak ditemukan." in html
    assert "q-error" in html and 'aria-invalid="true"' in html


def test_a_nul_byte_in_the_lookup_is_a_message_not_a_crash(agent_client: Client) -> None:
    response = agent_client.get("/callcenter/", {"ref": "PJ-2222\x00-2222"})
    assert response.status_code == 200
    assert "q-error" in response.content.decode()


def test_an_agent_logs_a_complaint_and_gets_a_ticket(
    agent_client: Client, line: CallCentreLine, rina_registration: Registration
) -> None:
    response = agent_client.post(
        "/callcenter/panggilan/",
        {
            "line": line.pk,
            "category": "complaint",
            "reference": "PJ-7K3M-9Q2X",
            "caller_phone": "",
            "outcome": "follow_up",
            "notes": "Kode SMS tidak masuk",
            "submission_token": "cc-1",
        },
    )
    assert response.status_code == 302
    call = CallLog.objects.get()
    assert call.registration == rina_registration
    html = agent_client.get("/callcenter/").content.decode()
    assert f"Panggilan dicatat dan tiket pengaduan #{call.ticket.pk} dibuka." in html


def test_a_refused_call_keeps_the_form_and_says_why(
    agent_client: Client, line: CallCentreLine
) -> None:
    response = agent_client.post(
        "/callcenter/panggilan/",
        {
            "line": line.pk,
            "category": "complaint",
            "outcome": "follow_up",
            "notes": "",
            "caller_phone": "0812 9876 5432",
            "submission_token": "cc-2",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tuliskan isi pengaduan pada catatan." in html
    assert 'aria-describedby="id_notes_error"' in html
    assert 'value="0812 9876 5432"' in html
    assert not CallLog.objects.exists()


def test_a_call_with_an_unknown_reference_is_refused(
    agent_client: Client, line: CallCentreLine
) -> None:
    response = agent_client.post(
        "/callcenter/panggilan/",
        {
            "line": line.pk,
            "category": "information",
            "outcome": "resolved",
            "reference": "PJ-2222-2222",
            "submission_token": "cc-3",
        },
    )
    assert response.status_code == 400
    assert "Pendaftaran dengan nomor ini tidak ditemukan." in response.content.decode()


@pytest.fixture
def ticket(callcentre_agent: User, line: CallCentreLine) -> Ticket:
    from prakerja.callcenter.services import call_log

    return call_log(
        actor=callcentre_agent,
        line=line,
        category="complaint",
        outcome="follow_up",
        notes="Nama salah ketik",
    ).ticket


def test_the_ticket_list_and_filter(agent_client: Client, ticket: Ticket) -> None:
    html = agent_client.get("/callcenter/tiket/").content.decode()
    assert "Pengaduan: Nama salah ketik" in html
    html = agent_client.get("/callcenter/tiket/", {"status": "closed"}).content.decode()
    assert "Tidak ada tiket." in html
    assert agent_client.get("/callcenter/tiket/", {"status": "x\x00"}).status_code == 200


def test_an_agent_updates_a_ticket(
    agent_client: Client, ticket: Ticket, callcentre_agent: User
) -> None:
    page = agent_client.get(f"/callcenter/tiket/{ticket.pk}/")
    assert page.status_code == 200
    response = agent_client.post(
        f"/callcenter/tiket/{ticket.pk}/",
        {
            "status": "resolved",
            "owner": callcentre_agent.pk,
            "due_date": ticket.due_date.isoformat(),
            "note": "Sudah diperbaiki",
            "submission_token": "t-1",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    html = agent_client.get(f"/callcenter/tiket/{ticket.pk}/").content.decode()
    assert "Tiket diperbarui." in html
    assert "Sudah diperbaiki" in html


def test_a_refused_ticket_update_shows_the_message(agent_client: Client, ticket: Ticket) -> None:
    response = agent_client.post(
        f"/callcenter/tiket/{ticket.pk}/",
        {"status": "open", "due_date": "2020-01-01", "submission_token": "t-2"},
    )
    assert response.status_code == 400
    assert "Batas waktu tidak boleh sebelum hari ini." in response.content.decode()


def test_an_unknown_ticket_is_a_404(agent_client: Client) -> None:
    assert agent_client.get("/callcenter/tiket/999999/").status_code == 404


def test_an_agent_books_a_posko_visit_for_a_caller(
    agent_client: Client, rina_registration: Registration, surabaya_post: Post
) -> None:
    day = next_open_day(surabaya_post)
    slot = make_slot(surabaya_post, date=day, start=dt.time(10, 0))
    page = agent_client.get(
        "/callcenter/janji-temu/",
        {"ref": "PJ-7K3M-9Q2X", "posko": surabaya_post.code, "date": day.isoformat()},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "10.00–10.30 WIB" in html
    response = agent_client.post(
        "/callcenter/janji-temu/",
        {
            "ref": "PJ-7K3M-9Q2X",
            "posko": surabaya_post.code,
            "date": day.isoformat(),
            "slot": slot.pk,
            "submission_token": "b-1",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.channel == "callcentre"
    assert appointment.applicant == rina_registration.user
    assert appointment.registration == rina_registration


def test_a_full_slot_is_said_to_the_agent(
    agent_client: Client, rina_registration: Registration, surabaya_post: Post
) -> None:
    day = next_open_day(surabaya_post)
    slot = make_slot(surabaya_post, date=day, capacity=1, booked=1)
    response = agent_client.post(
        "/callcenter/janji-temu/",
        {
            "ref": rina_registration.reference,
            "posko": surabaya_post.code,
            "date": day.isoformat(),
            "slot": slot.pk,
            "submission_token": "b-2",
        },
    )
    assert response.status_code == 400
    assert "Slot ini sudah penuh. Silakan pilih jam lain." in response.content.decode()


def test_the_slot_picker_fragment(
    agent_client: Client, rina_registration: Registration, surabaya_post: Post
) -> None:
    day = next_open_day(surabaya_post)
    response = agent_client.get(
        "/callcenter/janji-temu/slot/",
        {"ref": rina_registration.reference, "posko": surabaya_post.code, "date": day.isoformat()},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('name="slot"') == 14


def test_an_agent_sends_an_account_recovery_sms(
    agent_client: Client, caller: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = agent_client.post(
            "/callcenter/pemulihan-akun/", {"phone": "0812 9876 5432", "submission_token": "r-1"}
        )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient="+6281298765432").exists()
    html = agent_client.get("/callcenter/").content.decode()
    assert "SMS pemulihan akun dikirim ke nomor tersebut." in html


def test_a_bad_recovery_phone_is_said(agent_client: Client) -> None:
    agent_client.post("/callcenter/pemulihan-akun/", {"phone": "12", "submission_token": "r-2"})
    html = agent_client.get("/callcenter/").content.decode()
    assert "Nomor HP tidak valid." in html
    assert not OutboxMessage.objects.exists()


def test_the_admin_lists_calls_and_tickets(
    client: Client, superadmin: User, ticket: Ticket
) -> None:
    client.force_login(superadmin)
    assert client.get("/admin/callcenter/calllog/").status_code == 200
    assert client.get(f"/admin/callcenter/ticket/{ticket.pk}/change/").status_code == 200
