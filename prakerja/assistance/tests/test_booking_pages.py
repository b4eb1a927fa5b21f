from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.assistance.models import Appointment, Post, QueueTicket, Slot
from prakerja.assistance.testing import make_applicant, make_appointment, make_slot
from prakerja.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def token(html: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert match, "the form carries a submission token"
    return match.group(1)


@pytest.fixture
def siti_client(client: Client, siti: User) -> Client:
    client.force_login(siti)
    return client


def booking_url(post: Post) -> str:
    return f"/posko/{post.code}/jadwal/"


def test_the_booking_page_offers_free_slots_of_the_chosen_date(
    siti_client: Client, surabaya_post: Post, open_day: dt.date
) -> None:
    response = siti_client.get(booking_url(surabaya_post), {"date": open_day.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pesan jadwal kunjungan" in html
    assert html.count('name="slot"') == 14
    assert "08.00–08.30 WIB" in html
    assert 'name="submission_token"' in html
    assert 'hx-get="/posko/posko-surabaya/jadwal/slot/"' in html


def test_the_slot_fragment_renders_the_picker_only(
    siti_client: Client, surabaya_post: Post, open_day: dt.date
) -> None:
    response = siti_client.get(f"{booking_url(surabaya_post)}slot/", {"date": open_day.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('name="slot"') == 14


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2020-01-01", "Tanggal sudah lewat. Pilih hari ini atau tanggal berikutnya."),
        ("2026-02-31", "Tanggal tidak valid."),
        ("x\x00y", "Tanggal tidak valid."),
    ],
)
def test_a_bad_date_gets_a_message_not_an_error_page(
    siti_client: Client, surabaya_post: Post, date: str, message: str
) -> None:
    response = siti_client.get(f"{booking_url(surabaya_post)}slot/", {"date": date})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_applicant_books_and_sees_the_hidden_address(
    siti_client: Client,
    siti: User,
    surabaya_post: Post,
    slot: Slot,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Post.objects.filter(pk=surabaya_post.pk).update(address="Jl. Rahasia No. 1")
    page = siti_client.get(booking_url(surabaya_post), {"date": slot.date.isoformat()})
    assert "Jl. Rahasia" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = siti_client.post(
            booking_url(surabaya_post),
            {
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "submission_token": token(page.content.decode()),
            },
        )
    assert response.status_code == 302
    appointment = Appointment.objects.get(slot=slot)
    assert response["Location"] == f"/posko/janji-temu/?baru={appointment.pk}"
    mine = siti_client.get(response["Location"]).content.decode()
    # The confirmation: date, time and the address the booking page promised; the big button
    # saves it to the calendar (cancelling is the small one below).
    assert "Jadwal kunjungan sudah dipesan" in mine
    assert "Alamat: <strong>Jl. Rahasia No. 1</strong>" in mine
    assert mine.index("Tambahkan ke kalender / Simpan") < mine.index("Batalkan janji temu ini")
    assert f'role="button" href="/posko/janji-temu/{appointment.pk}/kalender.ics"' in mine
    sms = OutboxMessage.objects.filter(recipient=str(siti.phone)).latest("pk").body
    assert "Jl. Rahasia No. 1" in sms
    assert f"{slot.start:%H.%M} WIB" in sms
    ics = siti_client.get(f"/posko/janji-temu/{appointment.pk}/kalender.ics")
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    text = ics.content.decode()
    assert "BEGIN:VEVENT" in text
    assert "LOCATION:Jl. Rahasia No. 1" in text
    # 09.00 WIB is 02.00 UTC.
    assert f"DTSTART:{slot.date:%Y%m%d}T020000Z" in text


def test_a_double_submit_books_once(siti_client: Client, surabaya_post: Post, slot: Slot) -> None:
    page = siti_client.get(booking_url(surabaya_post), {"date": slot.date.isoformat()})
    data = {
        "date": slot.date.isoformat(),
        "slot": slot.pk,
        "submission_token": token(page.content.decode()),
    }
    first = siti_client.post(booking_url(surabaya_post), data)
    again = siti_client.post(booking_url(surabaya_post), data)
    assert first.status_code == again.status_code == 302
    assert Appointment.objects.count() == 1


def test_a_full_slot_shows_the_message_and_keeps_the_date(
    siti_client: Client, surabaya_post: Post, open_day: dt.date
) -> None:
    full = make_slot(surabaya_post, date=open_day, capacity=1, booked=1)
    response = siti_client.post(
        booking_url(surabaya_post),
        {"date": open_day.isoformat(), "slot": full.pk, "submission_token": "t-1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Slot ini sudah penuh. Silakan pilih jam lain." in html
    assert f'value="{open_day.isoformat()}" selected' in html
    assert not Appointment.objects.exists()


def test_a_booking_without_a_slot_says_to_choose_one(
    siti_client: Client, surabaya_post: Post, open_day: dt.date
) -> None:
    response = siti_client.post(
        booking_url(surabaya_post),
        {"date": open_day.isoformat(), "slot": "", "submission_token": "t-2"},
    )
    assert response.status_code == 200
    assert "Pilih jam kunjungan." in response.content.decode()


def test_the_booking_page_needs_a_sign_in(client: Client, surabaya_post: Post) -> None:
    response = client.get(booking_url(surabaya_post))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_post_is_a_404(siti_client: Client) -> None:
    assert siti_client.get("/posko/tidak-ada/jadwal/").status_code == 404


def test_staff_do_not_use_the_applicant_booking_page(
    client: Client, officer: User, surabaya_post: Post
) -> None:
    client.force_login(officer)
    assert client.get(booking_url(surabaya_post)).status_code == 403


def test_an_applicant_cancels_from_my_appointments(
    siti_client: Client, siti: User, slot: Slot
) -> None:
    appointment = make_appointment(slot, applicant=siti)
    page = siti_client.get("/posko/janji-temu/").content.decode()
    response = siti_client.post(
        f"/posko/janji-temu/{appointment.pk}/batal/", {"submission_token": token(page)}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert slot.booked == 0
    html = siti_client.get("/posko/janji-temu/").content.decode()
    assert "Janji temu dibatalkan. Terima kasih telah memberi tahu." in html
    assert "Dibatalkan" in html


def test_nobody_cancels_another_persons_appointment_by_id(
    client: Client, slot: Slot, siti: User
) -> None:
    appointment = make_appointment(slot, applicant=siti)
    client.force_login(make_applicant())
    response = client.post(f"/posko/janji-temu/{appointment.pk}/batal/", {"submission_token": "x"})
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_the_post_list_links_to_booking(client: Client, surabaya_post: Post) -> None:
    assert "/posko/posko-surabaya/jadwal/" in client.get("/posko/").content.decode()


# --- The officer's queue page ------------------------------------------------------------


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


@pytest.fixture
def today_slot(surabaya_post: Post) -> Slot:
    return make_slot(surabaya_post, date=timezone.localdate(), start=dt.time(23, 0))


def test_the_queue_page_lists_todays_appointments(
    officer_client: Client, today_slot: Slot, siti: User
) -> None:
    make_appointment(today_slot, applicant=siti)
    response = officer_client.get("/posko/antrian/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Antrean hari ini" in html
    assert siti.full_name in html
    assert "Datang" in html


def test_the_officer_checks_in_and_serves(
    officer_client: Client, today_slot: Slot, siti: User
) -> None:
    appointment = make_appointment(today_slot, applicant=siti)
    response = officer_client.post(
        f"/posko/antrian/janji/{appointment.pk}/datang/", {"submission_token": "a-1"}
    )
    assert response.status_code == 302
    html = officer_client.get("/posko/antrian/").content.decode()
    assert "Kedatangan dicatat." in html
    assert "J-001" in html
    officer_client.post(
        f"/posko/antrian/janji/{appointment.pk}/dilayani/", {"submission_token": "a-2"}
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SERVED


def test_a_refused_step_shows_its_message(
    officer_client: Client, today_slot: Slot, siti: User
) -> None:
    appointment = make_appointment(today_slot, applicant=siti, status="cancelled")
    officer_client.post(
        f"/posko/antrian/janji/{appointment.pk}/datang/", {"submission_token": "b-1"}
    )
    html = officer_client.get("/posko/antrian/").content.decode()
    assert "Janji temu ini berstatus “Dibatalkan”; perubahan ini tidak dapat dilakukan." in html


def test_the_officer_issues_a_walk_in_ticket_and_calls_it(
    officer_client: Client, officer: User
) -> None:
    response = officer_client.post(
        "/posko/antrian/tiket/",
        {"name": "Pak Joko", "phone": "0812 3456 7890", "submission_token": "c-1"},
    )
    assert response.status_code == 302
    ticket = QueueTicket.objects.get()
    assert (ticket.number, ticket.name, ticket.phone) == (1, "Pak Joko", "+6281234567890")
    assert (
        "Nomor antrean A-001 diberikan." in officer_client.get("/posko/antrian/").content.decode()
    )
    officer_client.post("/posko/antrian/panggil/", {"submission_token": "c-2"})
    ticket.refresh_from_db()
    assert ticket.status == QueueTicket.Status.CALLED
    officer_client.post(f"/posko/antrian/tiket/{ticket.pk}/dilayani/", {"submission_token": "c-3"})
    ticket.refresh_from_db()
    assert ticket.status == QueueTicket.Status.SERVED


def test_a_bad_walk_in_phone_is_shown_next_to_the_field(officer_client: Client) -> None:
    response = officer_client.post(
        "/posko/antrian/tiket/", {"phone": "12", "submission_token": "d-1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="phone-error"' in html
    assert "Nomor HP tidak valid." in html
    assert not QueueTicket.objects.exists()


def test_an_officer_cannot_act_on_another_posts_appointment(
    client: Client, other_officer: User, today_slot: Slot, siti: User
) -> None:
    appointment = make_appointment(today_slot, applicant=siti)
    client.force_login(other_officer)
    response = client.post(
        f"/posko/antrian/janji/{appointment.pk}/datang/", {"submission_token": "e-1"}
    )
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_the_queue_page_is_for_officers(client: Client, siti: User) -> None:
    client.force_login(siti)
    assert client.get("/posko/antrian/").status_code == 403


def test_a_superadmin_names_the_post(client: Client, superadmin: User, surabaya_post: Post) -> None:
    client.force_login(superadmin)
    assert client.get("/posko/antrian/").status_code == 404
    assert client.get("/posko/antrian/", {"posko": surabaya_post.code}).status_code == 200


def test_a_calendar_file_is_only_for_the_person_who_booked(
    client: Client, siti: User, surabaya_post: Post, slot: Slot
) -> None:
    someone_else = make_appointment(slot)
    client.force_login(siti)
    assert client.get(f"/posko/janji-temu/{someone_else.pk}/kalender.ics").status_code == 404
    assert client.get("/posko/janji-temu/999999/kalender.ics").status_code == 404
    assert client.get("/posko/janji-temu/?baru=abc").status_code == 200
