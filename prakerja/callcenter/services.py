"""Writes of the call-centre console: log a call, open and move complaint tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.assistance.console.selectors import QueryKind, console_query_parse, name_mask
from prakerja.assistance.models import Appointment, CallCentreLine, Slot
from prakerja.assistance.services import appointment_book
from prakerja.callcenter.errors import CallCentreError
from prakerja.callcenter.models import CallLog, Ticket, TicketNote
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.throttle import RateLimited, hit, peek
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.phones import phone_normalise
from prakerja.identity.selectors import person_find_by_nik
from prakerja.identity.services import personal_data_access_record
from prakerja.registry.models import Channel, Registration

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


@transaction.atomic
def caller_visit_book(*, actor: Actor, phone: str, slot: Slot) -> Appointment:
    """Book a post visit for a caller who has not registered yet: the applicant account of
    their phone number (made if there is none, as at a post), then the booking, which texts
    them the date, time and address. Both or neither."""
    agent = console_require(actor)
    applicant, _created = applicant_get_or_create_by_phone(phone=phone, actor=agent)
    return appointment_book(
        actor=agent, slot=slot, applicant=applicant, registration=None, channel=Channel.CALLCENTRE
    )


CALLER_LOOKUP_GROUP = "callcenter.lookup"
CALLER_PHONE_RESULTS = 5


@dataclass(frozen=True)
class CallerMatch:
    """A registration a search found: the reference to open, the name masked until the caller
    has confirmed who they are (name and birth date, as the console asks)."""

    reference: str
    name_masked: str
    status_label: str


@transaction.atomic
@dataclass(frozen=True)
class CallerSearch:
    kind: QueryKind  # what the agent typed: a NIK, a phone number or a reference
    matches: list[CallerMatch]


def caller_search(*, actor: Actor, text: str) -> CallerSearch:
    """Find a caller's registration by NIK, phone number or reference.

    Every NIK or phone search is logged before anything is shown (``PersonalDataAccess``,
    purpose ``call_centre_lookup``), a miss included, and capped per agent per hour
    (``CONSOLE_LOOKUP_RATE``): a run of searches is what walking through numbers looks like.
    A phone number finds at most ``CALLER_PHONE_RESULTS`` registrations (people share phones).
    """
    agent = console_require(actor)
    query = console_query_parse(text)
    if query is None:
        raise ApplicationError(
            CallCentreError.SEARCH_INVALID,
            _("Masukkan NIK (16 angka), nomor HP, atau nomor pendaftaran (mis. PJ-7K3M-9Q2X)."),
            field="q",
        )
    if query.kind == QueryKind.REFERENCE:
        matches = Registration.objects.filter(reference=query.value)
        return CallerSearch(query.kind, [_match(registration) for registration in matches])
    key = f"user:{agent.pk}"
    usage = peek(group=CALLER_LOOKUP_GROUP, key=key, rate=settings.CONSOLE_LOOKUP_RATE)
    if usage.limited:
        raise RateLimited(
            CallCentreError.SEARCH_RATE_LIMITED,
            _(
                "Terlalu banyak pencarian dengan NIK atau nomor HP dalam satu jam. Tunggu "
                "sebentar, atau minta nomor pendaftaran penelepon."
            ),
            field="q",
            retry_after=usage.retry_after,
        )
    hit(group=CALLER_LOOKUP_GROUP, key=key, rate=settings.CONSOLE_LOOKUP_RATE)
    person = None
    if query.kind == QueryKind.NIK:
        person = person_find_by_nik(nik=query.value)
        found = list(
            Registration.objects.filter(person=person).order_by("-created_at")[:1]
            if person is not None
            else []
        )
        kind = PersonalDataAccess.QueryKind.NIK
    else:
        found = list(
            Registration.objects.filter(Q(phone=query.value) | Q(user__phone=query.value))
            .select_related("person")
            .order_by("-created_at")[:CALLER_PHONE_RESULTS]
        )
        kind = PersonalDataAccess.QueryKind.PHONE
    logged: list[Registration | None] = [*found] or [None]  # a miss is logged too
    for registration in logged:
        personal_data_access_record(
            actor=agent,
            purpose=PersonalDataAccess.Purpose.CALL_CENTRE_LOOKUP,
            person=registration.person if registration is not None else person,
            reference=registration.reference if registration is not None else "",
            query_kind=kind,
            found=registration is not None,
        )
    return CallerSearch(query.kind, [_match(registration) for registration in found])


def _match(registration: Registration) -> CallerMatch:
    return CallerMatch(
        reference=registration.reference,
        name_masked=name_mask(registration.full_name),
        status_label=str(registration.get_status_display()),
    )
