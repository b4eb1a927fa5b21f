"""Writes of the call-centre console: log a call, open and move complaint tickets."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.assistance.models import CallCentreLine
from prakerja.callcenter.errors import CallCentreError
from prakerja.callcenter.models import CallLog, Ticket, TicketNote
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.identity.phones import phone_normalise
from prakerja.registry.models import Registration

# Who works the console: the agents, and the programme manager who supervises them.
CONSOLE_ROLES = frozenset({Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN})
TICKET_DUE_WORKING_DAYS = 3
NOTES_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = 200


def console_require(actor: Actor | None) -> User:
    if actor_role(actor) not in CONSOLE_ROLES:
        raise PermissionDenied(
            CallCentreError.CALL_FORBIDDEN, _("Anda tidak berhak mengakses data ini.")
        )
    assert isinstance(actor, User)
    return actor


def working_days_after(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday–Friday) after ``start``. Public holidays are not known
    here; an agent moves the due date by hand around them."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.isoweekday() <= 5:
            days -= 1
    return day


def _notes_clean(notes: str) -> str:
    notes = notes.strip()
    if "\x00" in notes:
        raise ApplicationError(
            CallCentreError.CALL_NOTES_INVALID,
            _("Catatan berisi karakter yang tidak valid."),
            field="notes",
        )
    if len(notes) > NOTES_MAX_LENGTH:
        raise ApplicationError(
            CallCentreError.CALL_NOTES_TOO_LONG,
            _("Catatan terlalu panjang (maksimal 2000 karakter)."),
            field="notes",
        )
    return notes


def _subject_from(call: CallLog) -> str:
    first_line = call.notes.splitlines()[0] if call.notes else ""
    subject = f"{call.get_category_display()}: {first_line}".strip().rstrip(":")
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    return subject


@transaction.atomic
def call_log(
    *,
    actor: Actor,
    line: CallCentreLine,
    category: str,
    registration: Registration | None = None,
    outcome: str,
    notes: str,
    caller_phone: str = "",
) -> CallLog:
    """Record one call. A complaint opens a ticket owned by the agent, due in three working
    days (SPEC §3.3: complaints become tickets with status, owner and due date)."""
    agent = console_require(actor)
    if not line.is_active:
        raise ApplicationError(
            CallCentreError.CALL_LINE_INACTIVE,
            _("Saluran call center ini tidak aktif."),
            field="line",
        )
    if category not in CallLog.Category.values:
        raise ApplicationError(
            CallCentreError.CALL_CATEGORY_INVALID,
            _("Kategori panggilan tidak dikenal."),
            field="category",
        )
    if outcome not in CallLog.Outcome.values:
        raise ApplicationError(
            CallCentreError.CALL_OUTCOME_INVALID,
            _("Hasil panggilan tidak dikenal."),
            field="outcome",
        )
    notes = _notes_clean(notes)
    if category == CallLog.Category.COMPLAINT and not notes:
        raise ApplicationError(
            CallCentreError.CALL_COMPLAINT_NOTES_REQUIRED,
            _("Tuliskan isi pengaduan pada catatan."),
            field="notes",
        )
    phone = phone_normalise(caller_phone) if caller_phone.strip() else ""
    call = CallLog(
        line=line,
        agent=agent,
        category=category,
        registration=registration,
        caller_phone=phone,
        outcome=outcome,
        notes=notes,
    )
    audit_as(call, actor=agent)
    call.save()
    if category == CallLog.Category.COMPLAINT:
        ticket = Ticket(
            call=call,
            subject=_subject_from(call),
            owner=agent,
            due_date=working_days_after(timezone.localdate(), TICKET_DUE_WORKING_DAYS),
        )
        audit_as(ticket, actor=agent, reason="complaint")
        ticket.save()
    return call


_TICKET_OWNER_ROLES = CONSOLE_ROLES


@transaction.atomic
def ticket_update(
    *,
    actor: Actor,
    ticket: Ticket,
    status: str | None = None,
    owner: User | None = None,
    due_date: dt.date | None = None,
    note: str = "",
) -> Ticket:
    """Move a ticket on: status, owner, due date, and/or a note of what was done."""
    agent = console_require(actor)
    # Row lock: two agents updating one ticket at once would otherwise overwrite each other's
    # status change without either seeing it.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status == Ticket.Status.CLOSED:
        raise ApplicationError(CallCentreError.TICKET_CLOSED, _("Tiket ini sudah ditutup."))
    note = note.strip()
    if "\x00" in note or len(note) > NOTES_MAX_LENGTH:
        raise ApplicationError(
            CallCentreError.TICKET_NOTE_INVALID,
            _("Catatan terlalu panjang (maksimal 2000 karakter)."),
            field="note",
        )
    changed: list[str] = []
    if status is not None and status != locked.status:
        if status not in Ticket.Status.values:
            raise ApplicationError(
                CallCentreError.TICKET_STATUS_INVALID,
                _("Status tiket tidak dikenal."),
                field="status",
            )
        locked.status = status
        changed.append("status")
    if owner is not None and owner.pk != locked.owner_id:
        if not owner.is_active or owner.role not in _TICKET_OWNER_ROLES:
            raise ApplicationError(
                CallCentreError.TICKET_OWNER_INVALID,
                _("Penanggung jawab harus agen call center atau pengelola program yang aktif."),
                field="owner",
            )
        locked.owner = owner
        changed.append("owner")
    if due_date is not None and due_date != locked.due_date:
        if due_date < timezone.localdate():
            raise ApplicationError(
                CallCentreError.TICKET_DUE_DATE_PAST,
                _("Batas waktu tidak boleh sebelum hari ini."),
                field="due_date",
            )
        locked.due_date = due_date
        changed.append("due_date")
    if not changed and not note:
        raise ApplicationError(
            CallCentreError.TICKET_NOTHING_CHANGED, _("Tidak ada perubahan yang disimpan.")
        )
    if changed:
        audit_as(locked, actor=agent, reason=note[:100] or None)
        locked.save(update_fields=[*changed, "updated_at"])
    if note:
        TicketNote.objects.create(ticket=locked, author=agent, body=note)
    return locked
