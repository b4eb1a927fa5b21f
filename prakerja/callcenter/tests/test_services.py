from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance.models import CallCentreLine
from prakerja.callcenter import selectors, services
from prakerja.callcenter.models import CallLog, Ticket, TicketNote
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.registry.models import Registration

pytestmark = pytest.mark.django_db


def log(actor: User, line: CallCentreLine, **kw: object) -> CallLog:
    kw.setdefault("category", CallLog.Category.INFORMATION)
    kw.setdefault("outcome", CallLog.Outcome.RESOLVED)
    kw.setdefault("notes", "")
    return services.call_log(actor=actor, line=line, **kw)  # type: ignore[arg-type]


def test_an_agent_logs_a_call(
    callcentre_agent: User, line: CallCentreLine, rina_registration: Registration
) -> None:
    call = log(
        callcentre_agent,
        line,
        category=CallLog.Category.STATUS_CONFIRMATION,
        registration=rina_registration,
        caller_phone="0812-9876-5432",
        notes="  Menanyakan status  ",
    )
    assert call.agent == callcentre_agent
    assert call.caller_phone == "+6281298765432"
    assert call.notes == "Menanyakan status"
    assert call.history.get().history_user == callcentre_agent
    assert not Ticket.objects.exists()


def test_a_complaint_opens_a_ticket_due_in_three_working_days(
    callcentre_agent: User, line: CallCentreLine
) -> None:
    call = log(
        callcentre_agent,
        line,
        category=CallLog.Category.COMPLAINT,
        outcome=CallLog.Outcome.FOLLOW_UP,
        notes="Kode SMS tidak pernah masuk\nsudah tiga kali",
    )
    ticket = call.ticket
    assert ticket.subject == "Pengaduan: Kode SMS tidak pernah masuk"
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.owner == callcentre_agent
    assert ticket.due_date == services.working_days_after(timezone.localdate(), 3)


def test_working_days_skip_the_weekend() -> None:
    friday = dt.date(2026, 5, 8)
    assert services.working_days_after(friday, 3) == dt.date(2026, 5, 13)
    assert services.working_days_after(dt.date(2026, 5, 9), 1) == dt.date(2026, 5, 11)


def test_a_complaint_needs_its_content(callcentre_agent: User, line: CallCentreLine) -> None:
    with pytest.raises(ApplicationError) as raised:
        log(callcentre_agent, line, category=CallLog.Category.COMPLAINT, notes="  ")
    assert raised.value.code == "call.complaint_notes_required"
    assert raised.value.message == "Tuliskan isi pengaduan pada catatan."
    assert not CallLog.objects.exists()


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        ({"category": "gossip"}, "call.category_invalid", "Kategori panggilan tidak dikenal."),
        ({"outcome": "maybe"}, "call.outcome_invalid", "Hasil panggilan tidak dikenal."),
        (
            {"notes": "x" * 2001},
            "call.notes_too_long",
            "Catatan terlalu panjang (maksimal 2000 karakter).",
        ),
        ({"notes": "a\x00b"}, "call.notes_invalid", "Catatan berisi karakter yang tidak valid."),
        (
            {"caller_phone": "021 555"},
            "phone.invalid",
            "Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890.",
        ),
    ],
)
def test_bad_call_input_is_refused(
    callcentre_agent: User, line: CallCentreLine, kw: dict[str, str], code: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as raised:
        log(callcentre_agent, line, **kw)
    assert (raised.value.code, str(raised.value.message)) == (code, message)
    assert not CallLog.objects.exists()


def test_an_inactive_line_is_refused(callcentre_agent: User, line: CallCentreLine) -> None:
    line.is_active = False
    with pytest.raises(ApplicationError) as raised:
        log(callcentre_agent, line)
    assert raised.value.code == "call.line_inactive"
    assert raised.value.message == "Saluran call center ini tidak aktif."


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.OFFICER, Role.DATA_OFFICER, Role.VIEWER])
def test_only_the_call_centre_and_managers_log_calls(role: Role, line: CallCentreLine) -> None:
    with pytest.raises(PermissionDenied) as raised:
        log(make_user(role=role), line)
    assert raised.value.code == "call.forbidden"


def test_a_manager_logs_a_call(manager: User, line: CallCentreLine) -> None:
    assert log(manager, line).agent == manager


# --- Tickets -----------------------------------------------------------------------------


@pytest.fixture
def ticket(callcentre_agent: User, line: CallCentreLine) -> Ticket:
    return log(callcentre_agent, line, category="complaint", notes="Data salah").ticket


def test_an_agent_moves_a_ticket_on(ticket: Ticket, callcentre_agent: User, manager: User) -> None:
    due = timezone.localdate() + dt.timedelta(days=7)
    updated = services.ticket_update(
        actor=callcentre_agent,
        ticket=ticket,
        status=Ticket.Status.IN_PROGRESS,
        owner=manager,
        due_date=due,
        note="Diteruskan ke pengelola program",
    )
    assert (updated.status, updated.owner, updated.due_date) == ("in_progress", manager, due)
    assert TicketNote.objects.get().body == "Diteruskan ke pengelola program"
    latest = updated.history.first()
    assert latest.history_user == callcentre_agent
    assert latest.history_change_reason == "Diteruskan ke pengelola program"


def test_a_note_alone_is_a_change(ticket: Ticket, callcentre_agent: User) -> None:
    services.ticket_update(actor=callcentre_agent, ticket=ticket, note="Menelepon balik")
    assert ticket.notes.count() == 1


def test_nothing_to_change_is_said(ticket: Ticket, callcentre_agent: User) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.ticket_update(actor=callcentre_agent, ticket=ticket, status=ticket.status)
    assert raised.value.code == "ticket.nothing_changed"
    assert raised.value.message == "Tidak ada perubahan yang disimpan."


def test_a_closed_ticket_stays_closed(ticket: Ticket, callcentre_agent: User) -> None:
    services.ticket_update(actor=callcentre_agent, ticket=ticket, status="closed")
    with pytest.raises(ApplicationError) as raised:
        services.ticket_update(actor=callcentre_agent, ticket=ticket, status="open")
    assert raised.value.code == "ticket.closed"
    assert raised.value.message == "Tiket ini sudah ditutup."


def test_a_past_due_date_is_refused(ticket: Ticket, callcentre_agent: User) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.ticket_update(
            actor=callcentre_agent,
            ticket=ticket,
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert raised.value.code == "ticket.due_date_past"
    assert raised.value.message == "Batas waktu tidak boleh sebelum hari ini."


def test_the_owner_must_work_the_console(
    ticket: Ticket, callcentre_agent: User, officer: User
) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.ticket_update(actor=callcentre_agent, ticket=ticket, owner=officer)
    assert raised.value.code == "ticket.owner_invalid"
    assert raised.value.message == (
        "Penanggung jawab harus agen call center atau pengelola program yang aktif."
    )


def test_an_unknown_status_is_refused(ticket: Ticket, callcentre_agent: User) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.ticket_update(actor=callcentre_agent, ticket=ticket, status="lost")
    assert raised.value.code == "ticket.status_invalid"
    assert raised.value.message == "Status tiket tidak dikenal."


def test_an_officer_cannot_update_tickets(ticket: Ticket, officer: User) -> None:
    with pytest.raises(PermissionDenied):
        services.ticket_update(actor=officer, ticket=ticket, note="x")


# --- Lookup ------------------------------------------------------------------------------


def test_the_lookup_masks_the_phone(
    callcentre_agent: User, rina_registration: Registration
) -> None:
    summary = selectors.registration_lookup(actor=callcentre_agent, reference="pj 7k3m 9q2x")
    assert summary.reference == "PJ-7K3M-9Q2X"
    assert summary.full_name == "Rina Wulandari"
    assert summary.phone_masked == "+62*******432"
    assert summary.applicant == rina_registration.user


def test_an_unknown_reference_is_not_found(callcentre_agent: User) -> None:
    with pytest.raises(NotFound) as raised:
        selectors.registration_lookup(actor=callcentre_agent, reference="PJ-2222-2222")
    assert raised.value.code == "registration.not_found"


def test_an_officer_cannot_use_the_console_lookup(
    officer: User, rina_registration: Registration
) -> None:
    with pytest.raises(PermissionDenied):
        selectors.registration_lookup(actor=officer, reference=rina_registration.reference)
