from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance import selectors, services
from prakerja.assistance.models import Appointment, Channel, Post, Slot
from prakerja.assistance.testing import make_applicant, make_appointment, make_slot
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db


def book(actor: User, slot: Slot, applicant: User | None = None, **kw: object) -> Appointment:
    kw.setdefault("channel", Channel.ONLINE)
    return services.appointment_book(
        actor=actor,
        slot=slot,
        applicant=applicant or actor,
        **kw,  # type: ignore[arg-type]
    )


# --- Slot generation -----------------------------------------------------------------------


def test_it_generates_slots_from_the_posts_working_hours(
    surabaya_post: Post, open_day: dt.date
) -> None:
    slots = services.slots_generate(post=surabaya_post, date=open_day)
    # 08.00–15.00 in 30-minute slots.
    assert len(slots) == 14
    assert (slots[0].start, slots[0].end) == (dt.time(8, 0), dt.time(8, 30))
    assert slots[-1].end == dt.time(15, 0)
    assert {s.capacity for s in slots} == {10}


def test_generating_slots_twice_changes_nothing(surabaya_post: Post, open_day: dt.date) -> None:
    first = services.slots_generate(post=surabaya_post, date=open_day)
    Slot.objects.filter(pk=first[0].pk).update(booked=3)
    surabaya_post.slot_capacity = 4
    surabaya_post.save()
    again = services.slots_generate(post=surabaya_post, date=open_day)
    assert [s.pk for s in again] == [s.pk for s in first]
    assert again[0].booked == 3
    assert again[0].capacity == 10


def test_it_uses_the_posts_own_hours_and_slot_length(surabaya_post: Post) -> None:
    surabaya_post.opens_at = dt.time(9, 0)
    surabaya_post.closes_at = dt.time(12, 10)
    surabaya_post.slot_minutes = 45
    surabaya_post.slot_capacity = 3
    surabaya_post.open_weekdays = "1234567"
    surabaya_post.save()
    slots = services.slots_generate(
        post=surabaya_post, date=timezone.localdate() + dt.timedelta(days=1)
    )
    assert [(s.start, s.end) for s in slots] == [
        (dt.time(9, 0), dt.time(9, 45)),
        (dt.time(9, 45), dt.time(10, 30)),
        (dt.time(10, 30), dt.time(11, 15)),
        # 11.15–12.00 fits; 12.00–12.45 would run past closing time.
        (dt.time(11, 15), dt.time(12, 0)),
    ]
    assert {s.capacity for s in slots} == {3}


def test_a_closed_day_has_no_slots(surabaya_post: Post) -> None:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.isoweekday() != 7:
        day += dt.timedelta(days=1)
    assert services.slots_generate(post=surabaya_post, date=day) == []
    assert not Slot.objects.exists()


def test_it_refuses_to_generate_slots_in_the_past(surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.slots_generate(post=surabaya_post, date=timezone.localdate() - dt.timedelta(1))
    assert raised.value.code == "slot.date_past"
    assert raised.value.message == "Tanggal sudah lewat. Pilih hari ini atau tanggal berikutnya."


def test_it_refuses_to_generate_slots_beyond_the_booking_window(surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.slots_generate(
            post=surabaya_post, date=timezone.localdate() + dt.timedelta(days=15)
        )
    assert raised.value.code == "slot.date_too_far"
    assert raised.value.message == "Jadwal hanya bisa dipesan sampai 14 hari ke depan."


def test_free_slots_leave_out_full_ones(surabaya_post: Post, open_day: dt.date) -> None:
    full = make_slot(surabaya_post, date=open_day, start=dt.time(8, 0), capacity=1, booked=1)
    free = make_slot(surabaya_post, date=open_day, start=dt.time(8, 30), capacity=2, booked=1)
    assert selectors.slot_list_free(post=surabaya_post, date=open_day) == [free]
    assert full.free == 0


def test_free_slots_of_today_leave_out_those_that_started(surabaya_post: Post) -> None:
    today = timezone.localdate()
    make_slot(surabaya_post, date=today, start=dt.time(0, 0), minutes=5)
    assert selectors.slot_list_free(post=surabaya_post, date=today) == []


# --- Booking -----------------------------------------------------------------------------


def test_an_applicant_books_a_seat(siti: User, slot: Slot) -> None:
    appointment = book(siti, slot)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert appointment.status == Appointment.Status.BOOKED
    assert (appointment.post, appointment.date) == (slot.post, slot.date)
    assert appointment.booked_by == siti
    assert appointment.history.get().history_user == siti


def test_a_booking_links_the_applicants_registration(
    siti: User, slot: Slot, siti_registration: Registration
) -> None:
    appointment = book(siti, slot, registration=siti_registration)
    assert appointment.registration == siti_registration


def test_a_full_slot_is_refused_with_a_clear_message(slot: Slot) -> None:
    book(make_applicant(), slot)
    book(make_applicant(), slot)
    with pytest.raises(ApplicationError) as raised:
        book(make_applicant(), slot)
    assert raised.value.code == "appointment.slot_full"
    assert raised.value.message == "Slot ini sudah penuh. Silakan pilih jam lain."
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Appointment.objects.count() == 2


def test_one_active_booking_per_applicant_per_post_and_day(
    siti: User, slot: Slot, surabaya_post: Post
) -> None:
    book(siti, slot)
    other = make_slot(surabaya_post, date=slot.date, start=dt.time(10, 0))
    with pytest.raises(ApplicationError) as raised:
        book(siti, other)
    assert raised.value.code == "appointment.already_booked"
    assert raised.value.message == (
        "Sudah ada janji temu aktif di posko ini pada tanggal tersebut. "
        "Batalkan dulu bila ingin mengganti jam."
    )
    other.refresh_from_db()
    assert other.booked == 0


def test_the_database_refuses_a_second_active_booking_and_gives_the_seat_back(
    siti: User, slot: Slot, surabaya_post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two requests of one person at once both pass the existence check; the constraint decides.
    book(siti, slot)
    other = make_slot(surabaya_post, date=slot.date, start=dt.time(10, 0))
    monkeypatch.setattr(Appointment, "ACTIVE_STATUSES", ("none",))
    with pytest.raises(ApplicationError) as raised:
        book(siti, other)
    assert raised.value.code == "appointment.already_booked"
    other.refresh_from_db()
    assert other.booked == 0


def test_after_cancelling_the_applicant_can_book_again(siti: User, slot: Slot) -> None:
    services.appointment_cancel(actor=siti, appointment=book(siti, slot))
    assert book(siti, slot).status == Appointment.Status.BOOKED


def test_a_slot_that_has_started_cannot_be_booked(siti: User, surabaya_post: Post) -> None:
    started = make_slot(surabaya_post, date=timezone.localdate(), start=dt.time(0, 0))
    with pytest.raises(ApplicationError) as raised:
        book(siti, started)
    assert raised.value.code == "appointment.slot_past"
    assert raised.value.message == "Jam ini sudah lewat. Silakan pilih jam lain."


def test_an_inactive_post_takes_no_bookings(siti: User, slot: Slot) -> None:
    Post.objects.filter(pk=slot.post_id).update(is_active=False)
    slot.refresh_from_db()
    with pytest.raises(ApplicationError) as raised:
        book(siti, Slot.objects.select_related("post").get(pk=slot.pk))
    assert raised.value.code == "appointment.post_inactive"
    assert raised.value.message == "Posko ini sedang tidak melayani."


def test_an_applicant_cannot_book_for_someone_else(siti: User, slot: Slot) -> None:
    with pytest.raises(PermissionDenied) as raised:
        book(siti, slot, applicant=make_applicant())
    assert raised.value.code == "appointment.forbidden"
    assert raised.value.message == "Anda tidak berhak mengakses data ini."


def test_an_applicant_books_online_only(siti: User, slot: Slot) -> None:
    with pytest.raises(ApplicationError) as raised:
        book(siti, slot, channel=Channel.CALLCENTRE)
    assert raised.value.code == "appointment.channel_invalid"
    assert raised.value.message == "Kanal pemesanan tidak sesuai dengan peran Anda."


def test_an_unknown_channel_is_refused(siti: User, slot: Slot) -> None:
    with pytest.raises(ApplicationError) as raised:
        book(siti, slot, channel="fax")
    assert raised.value.code == "appointment.channel_invalid"
    assert raised.value.message == "Kanal pemesanan tidak dikenal."


def test_an_officer_books_at_their_own_post(officer: User, siti: User, slot: Slot) -> None:
    appointment = book(officer, slot, applicant=siti, channel=Channel.POST)
    assert appointment.booked_by == officer
    assert appointment.channel == Channel.POST


def test_an_officer_cannot_book_at_another_post(
    other_officer: User, siti: User, slot: Slot
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        book(other_officer, slot, applicant=siti, channel=Channel.POST)
    assert raised.value.code == "post.forbidden"
    slot.refresh_from_db()
    assert slot.booked == 0


def test_the_call_centre_books_at_any_post(callcentre_agent: User, siti: User, slot: Slot) -> None:
    appointment = book(callcentre_agent, slot, applicant=siti, channel=Channel.CALLCENTRE)
    assert appointment.channel == Channel.CALLCENTRE


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.PROVIDER, Role.VIEWER])
def test_other_roles_cannot_book(role: Role, siti: User, slot: Slot) -> None:
    with pytest.raises(PermissionDenied) as raised:
        book(make_user(role=role), slot, applicant=siti, channel=Channel.POST)
    assert raised.value.code == "appointment.forbidden"


def test_staff_cannot_be_booked_as_an_applicant(callcentre_agent: User, slot: Slot) -> None:
    with pytest.raises(ApplicationError) as raised:
        book(callcentre_agent, slot, applicant=callcentre_agent, channel=Channel.CALLCENTRE)
    assert raised.value.code == "appointment.applicant_invalid"
    assert raised.value.message == "Janji temu hanya dapat dibuat untuk akun pendaftar yang aktif."


def test_a_registration_of_someone_else_is_refused(
    callcentre_agent: User, slot: Slot, siti_registration: Registration
) -> None:
    with pytest.raises(ApplicationError) as raised:
        book(
            callcentre_agent,
            slot,
            applicant=make_applicant(),
            registration=siti_registration,
            channel=Channel.CALLCENTRE,
        )
    assert raised.value.code == "appointment.registration_mismatch"
    assert raised.value.message == "Nomor pendaftaran ini bukan milik pendaftar tersebut."


# --- Cancel ------------------------------------------------------------------------------


def test_cancelling_gives_the_seat_back(siti: User, slot: Slot) -> None:
    appointment = services.appointment_cancel(actor=siti, appointment=book(siti, slot))
    slot.refresh_from_db()
    assert slot.booked == 0
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.history.first().history_change_reason == "cancel"


def test_cancelling_twice_frees_one_seat_only(siti: User, slot: Slot) -> None:
    appointment = book(siti, slot)
    book(make_applicant(), slot)
    services.appointment_cancel(actor=siti, appointment=appointment)
    with pytest.raises(ApplicationError) as raised:
        services.appointment_cancel(actor=siti, appointment=appointment)
    assert raised.value.code == "appointment.not_cancellable"
    assert raised.value.message == (
        "Janji temu ini tidak dapat dibatalkan lagi (status: Dibatalkan)."
    )
    slot.refresh_from_db()
    assert slot.booked == 1


def test_nobody_cancels_someone_elses_booking(siti: User, slot: Slot) -> None:
    appointment = book(siti, slot)
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(actor=make_applicant(), appointment=appointment)


def test_an_officer_of_another_post_cannot_cancel(
    siti: User, slot: Slot, other_officer: User
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        services.appointment_cancel(actor=other_officer, appointment=book(siti, slot))
    assert raised.value.code == "post.forbidden"


def test_the_call_centre_cancels_for_a_caller(
    siti: User, slot: Slot, callcentre_agent: User
) -> None:
    appointment = services.appointment_cancel(actor=callcentre_agent, appointment=book(siti, slot))
    assert appointment.status == Appointment.Status.CANCELLED


# --- At the post: check-in, served, no-show -----------------------------------------------


@pytest.fixture
def today_appointment(surabaya_post: Post, siti: User) -> Appointment:
    slot = make_slot(surabaya_post, date=timezone.localdate(), start=dt.time(23, 0), minutes=30)
    return make_appointment(slot, applicant=siti)


def test_check_in_gives_a_queue_number(officer: User, today_appointment: Appointment) -> None:
    appointment = services.appointment_check_in(actor=officer, appointment=today_appointment)
    assert appointment.status == Appointment.Status.CHECKED_IN
    ticket = appointment.queue_ticket
    assert ticket.number == 1
    assert ticket.display_number == "J-001"
    assert ticket.post == today_appointment.post


def test_check_in_only_on_the_day(officer: User, slot: Slot, siti: User) -> None:
    appointment = make_appointment(slot, applicant=siti)
    with pytest.raises(ApplicationError) as raised:
        services.appointment_check_in(actor=officer, appointment=appointment)
    assert raised.value.code == "appointment.not_today"
    assert raised.value.message == (
        "Janji temu ini bukan untuk hari ini, jadi belum bisa dicatat kedatangannya."
    )


def test_an_officer_of_another_post_cannot_check_in(
    other_officer: User, today_appointment: Appointment
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        services.appointment_check_in(actor=other_officer, appointment=today_appointment)
    assert raised.value.code == "post.forbidden"


def test_the_call_centre_does_not_run_the_queue(
    callcentre_agent: User, today_appointment: Appointment
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        services.appointment_check_in(actor=callcentre_agent, appointment=today_appointment)
    assert raised.value.code == "account.capability_missing"


def test_serving_closes_the_appointment_and_its_ticket(
    officer: User, today_appointment: Appointment
) -> None:
    services.appointment_check_in(actor=officer, appointment=today_appointment)
    appointment = services.appointment_mark_served(actor=officer, appointment=today_appointment)
    assert appointment.status == Appointment.Status.SERVED
    appointment.queue_ticket.refresh_from_db()
    assert appointment.queue_ticket.status == "served"


def test_a_booked_person_who_never_came_is_a_no_show(
    officer: User, today_appointment: Appointment
) -> None:
    appointment = services.appointment_mark_no_show(actor=officer, appointment=today_appointment)
    assert appointment.status == Appointment.Status.NO_SHOW


def test_a_checked_in_person_cannot_be_a_no_show(
    officer: User, today_appointment: Appointment
) -> None:
    services.appointment_check_in(actor=officer, appointment=today_appointment)
    with pytest.raises(ApplicationError) as raised:
        services.appointment_mark_no_show(actor=officer, appointment=today_appointment)
    assert raised.value.code == "appointment.status_invalid"
    assert raised.value.message == (
        "Janji temu ini berstatus “Sudah datang”; perubahan ini tidak dapat dilakukan."
    )


def test_a_cancelled_appointment_cannot_be_served(
    officer: User, today_appointment: Appointment, siti: User
) -> None:
    services.appointment_cancel(actor=siti, appointment=today_appointment)
    with pytest.raises(ApplicationError) as raised:
        services.appointment_mark_served(actor=officer, appointment=today_appointment)
    assert raised.value.code == "appointment.status_invalid"
    assert raised.value.message == (
        "Janji temu ini berstatus “Dibatalkan”; perubahan ini tidak dapat dilakukan."
    )


def test_checked_in_twice_is_refused(officer: User, today_appointment: Appointment) -> None:
    services.appointment_check_in(actor=officer, appointment=today_appointment)
    with pytest.raises(ApplicationError) as raised:
        services.appointment_check_in(actor=officer, appointment=today_appointment)
    assert raised.value.code == "appointment.status_invalid"


# --- Scoped reads ------------------------------------------------------------------------


def test_an_applicant_sees_only_their_own_appointment(siti: User, slot: Slot) -> None:
    appointment = book(siti, slot)
    assert selectors.appointment_get_for_actor(actor=siti, appointment_id=appointment.pk)
    with pytest.raises(NotFound) as raised:
        selectors.appointment_get_for_actor(actor=make_applicant(), appointment_id=appointment.pk)
    assert raised.value.message == "Janji temu tidak ditemukan."


def test_an_officer_of_another_post_cannot_see_an_appointment(
    siti: User, slot: Slot, other_officer: User, officer: User
) -> None:
    appointment = book(siti, slot)
    assert selectors.appointment_get_for_actor(actor=officer, appointment_id=appointment.pk)
    with pytest.raises(PermissionDenied):
        selectors.appointment_get_for_actor(actor=other_officer, appointment_id=appointment.pk)
