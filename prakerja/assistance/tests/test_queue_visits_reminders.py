from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.assistance import selectors, services
from prakerja.assistance.models import Appointment, AssistanceVisit, Post, QueueTicket, Slot
from prakerja.assistance.tasks import appointment_reminders_send
from prakerja.assistance.testing import make_applicant, make_appointment, make_slot
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db


# --- Queue tickets -----------------------------------------------------------------------


def test_walk_in_numbers_count_up_per_post_and_day(
    officer: User, other_officer: User, surabaya_post: Post, malang_post: Post
) -> None:
    first = services.queue_ticket_issue(actor=officer, post=surabaya_post, name="  Pak   Joko ")
    second = services.queue_ticket_issue(actor=officer, post=surabaya_post)
    elsewhere = services.queue_ticket_issue(actor=other_officer, post=malang_post)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert first.name == "Pak Joko"
    assert first.display_number == "A-001"
    assert first.date == timezone.localdate()


def test_an_officer_issues_tickets_for_their_own_post_only(
    other_officer: User, surabaya_post: Post
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        services.queue_ticket_issue(actor=other_officer, post=surabaya_post)
    assert raised.value.code == "post.forbidden"


def test_a_bad_walk_in_phone_is_refused(officer: User, surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.queue_ticket_issue(actor=officer, post=surabaya_post, phone="12")
    assert raised.value.code == "phone.invalid"


def test_a_too_long_walk_in_name_is_refused(officer: User, surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.queue_ticket_issue(actor=officer, post=surabaya_post, name="x" * 101)
    assert raised.value.code == "queue.name_invalid"
    assert raised.value.message == "Nama terlalu panjang (maksimal 100 karakter)."


def test_a_ticket_for_another_posts_appointment_is_refused(
    officer: User, surabaya_post: Post, malang_post: Post
) -> None:
    appointment = make_appointment(make_slot(malang_post))
    with pytest.raises(ApplicationError) as raised:
        services.queue_ticket_issue(actor=officer, post=surabaya_post, appointment=appointment)
    assert raised.value.code == "queue.appointment_other_post"
    assert raised.value.message == "Janji temu ini untuk posko lain."


def test_calling_takes_the_lowest_waiting_number(officer: User, surabaya_post: Post) -> None:
    first = services.queue_ticket_issue(actor=officer, post=surabaya_post)
    services.queue_ticket_issue(actor=officer, post=surabaya_post)
    called = services.queue_call_next(actor=officer, post=surabaya_post)
    assert called == first
    assert called is not None and called.status == QueueTicket.Status.CALLED
    assert called.called_at is not None
    assert services.queue_call_next(actor=officer, post=surabaya_post).number == 2  # type: ignore[union-attr]
    assert services.queue_call_next(actor=officer, post=surabaya_post) is None


def test_a_finished_ticket_cannot_be_finished_again(officer: User, surabaya_post: Post) -> None:
    ticket = services.queue_ticket_issue(actor=officer, post=surabaya_post)
    services.queue_ticket_mark_no_show(actor=officer, ticket=ticket)
    with pytest.raises(ApplicationError) as raised:
        services.queue_ticket_mark_served(actor=officer, ticket=ticket)
    assert raised.value.code == "queue.status_invalid"
    assert raised.value.message == "Nomor antrean ini sudah selesai (status: Tidak hadir)."


def test_serving_an_appointments_ticket_serves_the_appointment(
    officer: User, surabaya_post: Post
) -> None:
    slot = make_slot(surabaya_post, date=timezone.localdate(), start=dt.time(23, 0))
    appointment = services.appointment_check_in(actor=officer, appointment=make_appointment(slot))
    ticket = services.queue_ticket_mark_served(actor=officer, ticket=appointment.queue_ticket)
    appointment.refresh_from_db()
    assert ticket.status == QueueTicket.Status.SERVED
    assert appointment.status == Appointment.Status.SERVED


def test_the_queue_day_runs_a_fixed_number_of_queries(
    officer: User, surabaya_post: Post, django_assert_max_num_queries: object
) -> None:
    slot = make_slot(surabaya_post, date=timezone.localdate(), start=dt.time(23, 0), capacity=9)
    for _ in range(5):
        services.appointment_check_in(actor=officer, appointment=make_appointment(slot))
    services.queue_ticket_issue(actor=officer, post=surabaya_post)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        day = selectors.queue_day_for_post(post=surabaya_post)
        names = [a.applicant.username for a in day.appointments]
        names += [t.appointment.applicant.username for t in day.tickets if t.appointment]
        refs = [a.queue_ticket.number for a in day.appointments]
    assert len(names) == 10
    assert len(refs) == 5
    assert day.waiting == 6


# --- Assistance visits -------------------------------------------------------------------


def test_an_officer_records_the_services_given(
    officer: User, surabaya_post: Post, siti_registration: Registration
) -> None:
    visit = services.assistance_visit_record(
        actor=officer,
        post=surabaya_post,
        registration=siti_registration,
        services=["status_check", "registration", "status_check"],
    )
    assert visit.services == ["registration", "status_check"]
    assert visit.service_labels() == ["Pendaftaran", "Cek status"]
    assert visit.officer == officer
    assert visit.history.get().history_user == officer


def test_a_visit_needs_at_least_one_service(officer: User, surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.assistance_visit_record(actor=officer, post=surabaya_post, services=[])
    assert raised.value.code == "assistance_visit.services_required"
    assert raised.value.message == "Pilih minimal satu layanan yang diberikan."


def test_an_unknown_service_is_refused(officer: User, surabaya_post: Post) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.assistance_visit_record(
            actor=officer, post=surabaya_post, services=["registration", "massage"]
        )
    assert raised.value.code == "assistance_visit.service_invalid"
    assert raised.value.message == "Jenis layanan tidak dikenal."
    assert not AssistanceVisit.objects.exists()


def test_a_visit_is_recorded_at_the_officers_own_post_only(
    other_officer: User, surabaya_post: Post
) -> None:
    with pytest.raises(PermissionDenied):
        services.assistance_visit_record(
            actor=other_officer, post=surabaya_post, services=["registration"]
        )


def test_the_call_centre_records_no_post_visits(
    callcentre_agent: User, surabaya_post: Post
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        services.assistance_visit_record(
            actor=callcentre_agent, post=surabaya_post, services=["registration"]
        )
    assert raised.value.code == "account.capability_missing"


# --- Address privacy ---------------------------------------------------------------------


@pytest.fixture
def hidden(surabaya_post: Post) -> Post:
    Post.objects.filter(pk=surabaya_post.pk).update(address="Jl. Rahasia No. 1")
    surabaya_post.refresh_from_db()
    return surabaya_post


def test_a_hidden_address_is_for_people_with_a_booking(hidden: Post, siti: User) -> None:
    assert selectors.post_address_for_actor(actor=siti, post=hidden) is None
    make_appointment(make_slot(hidden), applicant=siti)
    assert selectors.post_address_for_actor(actor=siti, post=hidden) == "Jl. Rahasia No. 1"


def test_a_cancelled_or_past_booking_does_not_reveal_the_address(hidden: Post, siti: User) -> None:
    make_appointment(make_slot(hidden), applicant=siti, status="cancelled")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_appointment(make_slot(hidden, date=yesterday), applicant=siti)
    assert selectors.post_address_for_actor(actor=siti, post=hidden) is None


def test_a_booking_elsewhere_does_not_reveal_the_address(
    hidden: Post, malang_post: Post, siti: User
) -> None:
    make_appointment(make_slot(malang_post), applicant=siti)
    assert selectors.post_address_for_actor(actor=siti, post=hidden) is None


def test_anonymous_visitors_see_only_public_addresses(hidden: Post) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert selectors.post_address_for_actor(actor=AnonymousUser(), post=hidden) is None
    Post.objects.filter(pk=hidden.pk).update(address_public=True)
    hidden.refresh_from_db()
    assert selectors.post_address_for_actor(actor=AnonymousUser(), post=hidden) == (
        "Jl. Rahasia No. 1"
    )


def test_staff_see_the_addresses_of_posts_in_their_scope(
    hidden: Post, officer: User, other_officer: User, callcentre_agent: User
) -> None:
    assert selectors.post_address_for_actor(actor=officer, post=hidden) == "Jl. Rahasia No. 1"
    assert selectors.post_address_for_actor(actor=callcentre_agent, post=hidden)
    assert selectors.post_address_for_actor(actor=other_officer, post=hidden) is None


# --- Reminders ---------------------------------------------------------------------------


@pytest.fixture
def tomorrow_slot(surabaya_post: Post) -> Slot:
    return make_slot(surabaya_post, date=timezone.localdate() + dt.timedelta(days=1))


def test_reminders_go_once_per_booked_appointment(
    tomorrow_slot: Slot, siti: User, django_capture_on_commit_callbacks: object
) -> None:
    booked = make_appointment(tomorrow_slot, applicant=siti)
    make_appointment(tomorrow_slot, status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sent = appointment_reminders_send.call(date=tomorrow_slot.date.isoformat())
    assert sent == 1
    sms = OutboxMessage.objects.get()
    assert sms.recipient == "+6281234567890"
    assert sms.body.startswith("Prakerja Jatim: pengingat janji temu di Posko Surabaya,")
    assert "pukul 09.00 WIB" in sms.body
    booked.refresh_from_db()
    assert booked.reminder_sent_at is not None

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        again = appointment_reminders_send.call(date=tomorrow_slot.date.isoformat())
    assert again == 0
    assert OutboxMessage.objects.count() == 1


def test_a_reminder_names_the_hidden_address(
    tomorrow_slot: Slot, siti: User, django_capture_on_commit_callbacks: object
) -> None:
    Post.objects.filter(pk=tomorrow_slot.post_id).update(address="Jl. Rahasia No. 1")
    make_appointment(tomorrow_slot, applicant=siti)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        appointment_reminders_send.call(date=tomorrow_slot.date.isoformat())
    assert "Alamat: Jl. Rahasia No. 1." in OutboxMessage.objects.get().body


def test_no_sms_is_sent_when_the_transaction_does_not_commit(
    tomorrow_slot: Slot, siti: User, django_capture_on_commit_callbacks: object
) -> None:
    make_appointment(tomorrow_slot, applicant=siti)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        appointment_reminders_send.call(date=tomorrow_slot.date.isoformat())
    assert len(callbacks) == 1
    assert not OutboxMessage.objects.exists()


def test_an_applicant_without_a_phone_is_skipped(tomorrow_slot: Slot) -> None:
    make_appointment(tomorrow_slot, applicant=make_applicant(phone=None))
    assert appointment_reminders_send.call(date=tomorrow_slot.date.isoformat()) == 0


def test_the_command_enqueues_tomorrows_reminders(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("appointment_reminders")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    job = DBTaskResult.objects.get()
    assert job.task_path == "prakerja.assistance.tasks.appointment_reminders_send"
    assert job.args_kwargs["kwargs"] == {"date": tomorrow}
    assert f"pengingat {tomorrow} diantrekan" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Tanggal tidak valid"):
        call_command("appointment_reminders", "--date", "2026-13-01")
