"""The officer's bookings for the coming days, not only today (issue 16, item 13)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.assistance.models import Appointment, Post
from prakerja.assistance.testing import make_applicant, make_appointment, make_slot


def test_the_officer_sees_the_next_seven_days_of_their_own_post(
    client: Client, officer: User, surabaya_post: Post, malang_post: Post
) -> None:
    today = timezone.localdate()
    in_three_days = make_slot(surabaya_post, date=today + dt.timedelta(days=3), start=dt.time(10))
    make_appointment(in_three_days, applicant=make_applicant(full_name="Sri Wahyuni"))
    make_appointment(
        in_three_days,
        applicant=make_applicant(full_name="Dibatalkan Saja"),
        status=Appointment.Status.CANCELLED,
    )
    too_far = make_slot(surabaya_post, date=today + dt.timedelta(days=8))
    make_appointment(too_far, applicant=make_applicant(full_name="Terlalu Jauh"))
    elsewhere = make_slot(malang_post, date=today + dt.timedelta(days=1))
    make_appointment(elsewhere, applicant=make_applicant(full_name="Posko Lain"))

    client.force_login(officer)
    response = client.get("/posko/antrian/jadwal-mendatang/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sri Wahyuni" in html
    assert "10.00" in html
    assert "1 janji temu dalam 7 hari" in html
    for absent in ("Dibatalkan Saja", "Terlalu Jauh", "Posko Lain"):
        assert absent not in html
    assert html.count("<h2 ") == 7  # every day shown, the empty ones too


def test_only_officers_open_the_upcoming_bookings(client: Client, siti: User) -> None:
    client.force_login(siti)
    assert client.get("/posko/antrian/jadwal-mendatang/").status_code == 403
