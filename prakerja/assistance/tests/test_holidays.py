"""Holidays and closure days: no slots offered, bookings refused with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils.formats import date_format

from prakerja.accounts.models import User
from prakerja.assistance import selectors, services
from prakerja.assistance.holidays import NATIONAL_HOLIDAYS
from prakerja.assistance.models import Channel, Holiday, Post, Slot
from prakerja.assistance.testing import make_slot
from prakerja.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_the_national_holidays_of_2020_and_2026_are_seeded_once() -> None:
    Holiday.objects.all().delete()  # a transactional test elsewhere may have flushed them
    assert services.holidays_seed_load() == len(NATIONAL_HOLIDAYS)
    assert services.holidays_seed_load() == 0
    assert Holiday.objects.get(date=dt.date(2020, 5, 24)).name == (
        "Hari Raya Idul Fitri 1441 Hijriah"
    )
    assert Holiday.objects.get(date=dt.date(2026, 8, 17)).post is None
    years = {day.year for day, _name in NATIONAL_HOLIDAYS}
    assert years == {2020, 2026}


def test_a_holiday_renamed_in_the_admin_survives_a_reseed() -> None:
    services.holidays_seed_load()
    Holiday.objects.filter(date=dt.date(2026, 12, 25)).update(name="Natal")
    services.holidays_seed_load()
    assert Holiday.objects.get(date=dt.date(2026, 12, 25), post=None).name == "Natal"


def test_no_slots_are_offered_on_a_national_holiday(surabaya_post: Post, open_day: dt.date) -> None:
    Holiday.objects.create(date=open_day, name="Hari Uji Libur")
    assert services.slots_generate(post=surabaya_post, date=open_day) == []
    assert not Slot.objects.exists()
    assert open_day not in selectors.bookable_dates(post=surabaya_post)


def test_a_closure_day_of_one_post_closes_that_post_only(
    surabaya_post: Post, malang_post: Post, open_day: dt.date
) -> None:
    Holiday.objects.create(date=open_day, name="Posko pindah gedung", post=surabaya_post)
    assert services.slots_generate(post=surabaya_post, date=open_day) == []
    malang_post.open_weekdays = surabaya_post.open_weekdays
    malang_post.save()
    assert len(services.slots_generate(post=malang_post, date=open_day)) == 14
    assert open_day in selectors.bookable_dates(post=malang_post)


def test_booking_a_slot_on_a_day_declared_closed_later_is_refused_with_the_reason(
    surabaya_post: Post, slot: Slot, siti: User
) -> None:
    Holiday.objects.create(date=slot.date, name="Hari Uji Libur")
    assert selectors.slot_list_free(post=surabaya_post, date=slot.date) == []
    with pytest.raises(ApplicationError) as exc:
        services.appointment_book(actor=siti, slot=slot, applicant=siti, channel=Channel.ONLINE)
    assert (exc.value.code, exc.value.field) == ("appointment.holiday", "slot")
    assert str(exc.value.message) == (
        f"Posko tutup pada {date_format(slot.date, 'j F Y')} (Hari Uji Libur). "
        "Silakan pilih tanggal lain."
    )
    slot.refresh_from_db()
    assert slot.booked == 0


def test_the_booking_api_answers_a_holiday_with_its_code(
    client: Client, surabaya_post: Post, siti: User
) -> None:
    from prakerja.accounts.tokens import api_token_create

    closed = make_slot(surabaya_post)
    Holiday.objects.create(date=closed.date, name="Hari Uji Libur")
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments",
        {"slot_id": closed.pk},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_create(user=siti)}"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "appointment.holiday"


def test_bookings_on_a_day_closed_later_are_cancelled_and_told_once(
    surabaya_post: Post,
    malang_post: Post,
    slot: Slot,
    siti: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from prakerja.notifications.models import OutboxMessage

    booked = services.appointment_book(
        actor=siti, slot=slot, applicant=siti, channel=Channel.ONLINE
    )
    other_post_slot = make_slot(malang_post, date=slot.date, capacity=2)
    elsewhere = services.appointment_book(
        actor=siti, slot=other_post_slot, applicant=siti, channel=Channel.ONLINE
    )
    closure = Holiday.objects.create(date=slot.date, name="Renovasi", post=surabaya_post)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.holiday_bookings_cancel(holiday=closure) == 1
        assert services.holiday_bookings_cancel(holiday=closure) == 0  # once only

    booked.refresh_from_db()
    elsewhere.refresh_from_db()
    slot.refresh_from_db()
    assert booked.status == "cancelled" and elsewhere.status == "booked"
    assert slot.booked == 0  # the seat is given back
    assert booked.history.latest().history_change_reason == "posko tutup: Renovasi"
    texts = list(OutboxMessage.objects.filter(recipient="+6281234567890"))
    assert len(texts) == 1
    assert "dibatalkan karena posko tutup (Renovasi)" in texts[0].body
    assert surabaya_post.name in texts[0].body


def test_declaring_a_national_holiday_in_the_admin_cancels_that_days_bookings(
    superadmin: User, slot: Slot, siti: User, django_capture_on_commit_callbacks: Any
) -> None:
    booked = services.appointment_book(
        actor=siti, slot=slot, applicant=siti, channel=Channel.ONLINE
    )
    client = Client()
    client.force_login(superadmin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assistance/holiday/add/",
            {"date": slot.date.isoformat(), "name": "Cuti bersama", "post": ""},
            follow=True,
        )
    assert response.status_code == 200
    assert Holiday.objects.filter(date=slot.date, post=None).exists()
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert "1 janji temu pada hari itu dibatalkan" in response.content.decode()
