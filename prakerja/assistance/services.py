from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import scopes
from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, Capability, actor_role
from prakerja.assistance.holidays import NATIONAL_HOLIDAYS
from prakerja.assistance.models import (
    Appointment,
    AssistanceVisit,
    CallCentreLine,
    Channel,
    Holiday,
    Post,
    QueueTicket,
    Slot,
)
from prakerja.assistance.scopes import post_get_for_actor
from prakerja.assistance.seed import CALL_CENTRE_LINES, post_seeds
from prakerja.assistance.selectors import holiday_on
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.identity.names import person_name_check
from prakerja.identity.phones import phone_normalise
from prakerja.notifications.services import sms_send
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.registry.models import Registration


@dataclass(frozen=True)
class SeedResult:
    posts_created: int
    posts_total: int
    lines_created: int
    holidays_created: int = 0


@transaction.atomic
def assistance_seed_load() -> SeedResult:
    """Create the seed posts and call-centre lines that are missing.

    Existing rows are left alone, so an admin's edits (hours, capacity, a hidden address)
    survive every later ``make run``.
    """
    regency_names = dict(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", "name"))
    if len(regency_names) != 38:
        raise ApplicationError(
            "assistance.regions_missing",
            gettext_lazy(
                "Data wilayah Jawa Timur belum dimuat: jalankan `manage.py regions_load` dahulu."
            ),
        )
    existing = set(Post.objects.values_list("code", flat=True))
    missing = [seed for seed in post_seeds(regency_names) if seed.code not in existing]
    Post.objects.bulk_create(
        [
            Post(
                code=seed.code,
                name=seed.name,
                kind=seed.kind,
                regency_id=seed.regency_code,
                address=seed.address,
                address_public=seed.address_public,
            )
            for seed in missing
        ]
    )
    lines_created = 0
    for number, name in CALL_CENTRE_LINES:
        _, created = CallCentreLine.objects.get_or_create(number=number, defaults={"name": name})
        lines_created += created
    return SeedResult(
        posts_created=len(missing),
        posts_total=Post.objects.count(),
        lines_created=lines_created,
        holidays_created=holidays_seed_load(),
    )


def holidays_seed_load() -> int:
    """Add the national holidays of ``assistance.holidays`` that are missing; returns how many.
    A date already present (also one an admin renamed) is left alone."""
    existing = set(Holiday.objects.filter(post=None).values_list("date", flat=True))
    missing = [
        Holiday(date=day, name=name) for day, name in NATIONAL_HOLIDAYS if day not in existing
    ]
    Holiday.objects.bulk_create(missing, ignore_conflicts=True)
    today = timezone.localdate()
    for holiday in Holiday.objects.filter(
        post=None, date__in=[h.date for h in missing if h.date >= today]
    ):
        holiday_bookings_cancel(holiday=holiday)
    return len(missing)


# --- Appointments and the visitor queue ------------------------------------------------------

# How far ahead people can book: enough for a two-week plan, short enough that one request
# cannot make the server create slot rows for the year 9999.
BOOKING_WINDOW_DAYS = 14

# Which booking channel each role books through; anyone else may not book at all. A role's
# channel is fixed so the registration counts per channel (SPEC §3.7) cannot be skewed.
_BOOKING_CHANNELS: dict[Role, frozenset[str]] = {
    Role.APPLICANT: frozenset({Channel.ONLINE}),
    Role.OFFICER: frozenset({Channel.POST}),
    Role.CALLCENTRE: frozenset({Channel.CALLCENTRE}),
    Role.MANAGER: frozenset({Channel.CALLCENTRE}),
    Role.SUPERADMIN: frozenset(Channel.values),
}


def _forbidden(code: str) -> PermissionDenied:
    return PermissionDenied(code, _("Anda tidak berhak mengakses data ini."))


def _user(actor: Actor) -> User:
    # Only called after a role check, which anonymous visitors never pass.
    assert isinstance(actor, User)
    return actor


def booking_date_check(date: dt.date) -> None:
    """Refuse a date that lies in the past or beyond the booking window."""
    today = timezone.localdate()
    if date < today:
        raise ApplicationError(
            "slot.date_past",
            _("Tanggal sudah lewat. Pilih hari ini atau tanggal berikutnya."),
            field="date",
        )
    if date > today + dt.timedelta(days=BOOKING_WINDOW_DAYS):
        raise ApplicationError(
            "slot.date_too_far",
            _("Jadwal hanya bisa dipesan sampai 14 hari ke depan."),
            field="date",
        )


def post_is_open_on(*, post: Post, date: dt.date) -> bool:
    """Open on that weekday, and the day is neither a national holiday nor a closure day."""
    return str(date.isoweekday()) in post.open_weekdays and holiday_on(post=post, date=date) is None


def _slot_times(post: Post) -> list[tuple[dt.time, dt.time]]:
    step = dt.timedelta(minutes=post.slot_minutes)
    day = dt.date(2000, 1, 3)  # any date: only the clock times matter
    start = dt.datetime.combine(day, post.opens_at)
    closes = dt.datetime.combine(day, post.closes_at)
    times = []
    while start + step <= closes:
        times.append((start.time(), (start + step).time()))
        start += step
    return times


def slots_generate(*, post: Post, date: dt.date) -> list[Slot]:
    """The slots of ``post`` on ``date``, created from its working hours if missing.

    Idempotent: existing slots (and their bookings) are kept as they are, so a later change of
    the post's hours or capacity applies to days not generated yet. A closed day has no slots.
    """
    booking_date_check(date)
    if not post.is_active or not post_is_open_on(post=post, date=date):
        return []
    existing = list(Slot.objects.filter(post=post, date=date).order_by("start"))
    if existing:
        return existing
    # ignore_conflicts: two visitors opening the same empty day at once both try to create it;
    # the unique (post, date, start) constraint keeps one set.
    Slot.objects.bulk_create(
        [
            Slot(post=post, date=date, start=start, end=end, capacity=post.slot_capacity)
            for start, end in _slot_times(post)
        ],
        ignore_conflicts=True,
    )
    return list(Slot.objects.filter(post=post, date=date).order_by("start"))


def _slot_started(slot: Slot) -> bool:
    starts = timezone.make_aware(dt.datetime.combine(slot.date, slot.start))
    return starts <= timezone.now()


def _booking_post_check(*, actor: Actor | None, post: Post, channel: str) -> Role:
    role = actor_role(actor)
    if role is None or role not in _BOOKING_CHANNELS:
        raise _forbidden("appointment.forbidden")
    if channel not in Channel.values:
        raise ApplicationError(
            "appointment.channel_invalid", _("Kanal pemesanan tidak dikenal."), field="channel"
        )
    if channel not in _BOOKING_CHANNELS[role]:
        raise ApplicationError(
            "appointment.channel_invalid",
            _("Kanal pemesanan tidak sesuai dengan peran Anda."),
            field="channel",
        )
    if role != Role.APPLICANT:
        # An officer books only at their own post; the call centre at any post.
        post_get_for_actor(actor=actor, post_id=post.pk)
    return role


@transaction.atomic
def appointment_book(
    *,
    actor: Actor,
    slot: Slot,
    applicant: User,
    registration: Registration | None = None,
    channel: str,
) -> Appointment:
    """Book one seat of ``slot`` for ``applicant``: by themselves (online), an officer of the
    post, or a call-centre agent. Never overbooks, even under concurrent requests."""
    post = slot.post
    role = _booking_post_check(actor=actor, post=post, channel=channel)
    if role == Role.APPLICANT and applicant.pk != getattr(actor, "pk", None):
        raise _forbidden("appointment.forbidden")
    if applicant.role != Role.APPLICANT or not applicant.is_active:
        raise ApplicationError(
            "appointment.applicant_invalid",
            _("Janji temu hanya dapat dibuat untuk akun pendaftar yang aktif."),
            field="applicant",
        )
    if registration is not None and registration.user_id != applicant.pk:
        raise ApplicationError(
            "appointment.registration_mismatch",
            _("Nomor pendaftaran ini bukan milik pendaftar tersebut."),
            field="registration",
        )
    if not post.is_active:
        raise ApplicationError("appointment.post_inactive", _("Posko ini sedang tidak melayani."))
    holiday = holiday_on(post=post, date=slot.date)
    if holiday is not None:
        # Slots made before the day was declared closed stay in the table; nobody books them.
        raise ApplicationError(
            "appointment.holiday",
            format_lazy(
                _("Posko tutup pada {date} ({name}). Silakan pilih tanggal lain."),
                date=date_format(holiday.date, "j F Y"),
                name=holiday.name,
            ),
            field="slot",
        )
    if slot.date < timezone.localdate() or _slot_started(slot):
        raise ApplicationError(
            "appointment.slot_past", _("Jam ini sudah lewat. Silakan pilih jam lain."), field="slot"
        )
    if Appointment.objects.filter(
        applicant=applicant, post=post, date=slot.date, status__in=Appointment.ACTIVE_STATUSES
    ).exists():
        raise _already_booked()

    # The race this prevents: two people reading "1 seat left" and both booking it. The
    # database checks ``booked < capacity`` and increments in one statement, so of N
    # concurrent requests for the last seat exactly one updates a row; the others see 0 rows.
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise ApplicationError(
            "appointment.slot_full",
            _("Slot ini sudah penuh. Silakan pilih jam lain."),
            field="slot",
        )
    appointment = Appointment(
        slot=slot,
        post=post,
        date=slot.date,
        applicant=applicant,
        registration=registration,
        booked_by=_user(actor),
        channel=channel,
    )
    audit_as(appointment, actor=actor)
    try:
        # Savepoint: the same person booking twice at once passes the check above in both
        # requests; the partial unique constraint refuses the second, and the seat it took is
        # given back when the outer transaction rolls back.
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise _already_booked() from None
    slot.refresh_from_db(fields=["booked"])
    return appointment


def _already_booked() -> ApplicationError:
    return ApplicationError(
        "appointment.already_booked",
        _(
            "Sudah ada janji temu aktif di posko ini pada tanggal tersebut. "
            "Batalkan dulu bila ingin mengganti jam."
        ),
        field="slot",
    )


def _appointment_locked(appointment: Appointment) -> Appointment:
    # Row lock: two officers (or an officer and the applicant cancelling) changing the same
    # appointment at once would otherwise both pass the status check and, for a cancel, free
    # the seat twice. SQLite serialises writers already (BEGIN IMMEDIATE).
    return (
        Appointment.objects.select_for_update()
        .select_related("post", "slot")
        .get(pk=appointment.pk)
    )


def _appointment_manage_check(*, actor: Actor | None, appointment: Appointment) -> None:
    """An officer may run appointments of their own post only."""
    scopes.actor_require(actor, Capability.POST_QUEUE_RUN)
    post_get_for_actor(actor=actor, post_id=appointment.post_id)


def _status_invalid(appointment: Appointment) -> ApplicationError:
    return ApplicationError(
        "appointment.status_invalid",
        _("Janji temu ini berstatus “%(status)s”; perubahan ini tidak dapat dilakukan.")
        % {"status": appointment.get_status_display()},
    )


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment and give its seat back to the slot."""
    role = actor_role(actor)
    if role == Role.APPLICANT:
        if appointment.applicant_id != getattr(actor, "pk", None):
            raise _forbidden("appointment.forbidden")
    elif role in {Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN, Role.OFFICER}:
        post_get_for_actor(actor=actor, post_id=appointment.post_id)
    else:
        raise _forbidden("appointment.forbidden")
    locked = _appointment_locked(appointment)
    if locked.status != Appointment.Status.BOOKED:
        raise ApplicationError(
            "appointment.not_cancellable",
            _("Janji temu ini tidak dapat dibatalkan lagi (status: %(status)s).")
            % {"status": locked.get_status_display()},
        )
    locked.status = Appointment.Status.CANCELLED
    audit_as(locked, actor=actor, reason="cancel")
    locked.save(update_fields=["status", "updated_at"])
    # The mirror of the booking UPDATE: decrement in the database, never below zero.
    Slot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    return locked


@transaction.atomic
def appointment_check_in(*, actor: Actor, appointment: Appointment) -> Appointment:
    """The person has arrived: mark it and give them a queue number."""
    _appointment_manage_check(actor=actor, appointment=appointment)
    locked = _appointment_locked(appointment)
    if locked.status != Appointment.Status.BOOKED:
        raise _status_invalid(locked)
    if locked.date != timezone.localdate():
        raise ApplicationError(
            "appointment.not_today",
            _("Janji temu ini bukan untuk hari ini, jadi belum bisa dicatat kedatangannya."),
        )
    locked.status = Appointment.Status.CHECKED_IN
    audit_as(locked, actor=actor, reason="check_in")
    locked.save(update_fields=["status", "updated_at"])
    queue_ticket_issue(actor=actor, post=locked.post, appointment=locked)
    return locked


def _appointment_finish(*, actor: Actor, appointment: Appointment, status: str) -> Appointment:
    _appointment_manage_check(actor=actor, appointment=appointment)
    locked = _appointment_locked(appointment)
    if locked.status not in Appointment.ACTIVE_STATUSES:
        raise _status_invalid(locked)
    if status == Appointment.Status.NO_SHOW and locked.status != Appointment.Status.BOOKED:
        # Someone who checked in did come; they are served (or their ticket is a no-show).
        raise _status_invalid(locked)
    locked.status = status
    audit_as(locked, actor=actor, reason=status)
    locked.save(update_fields=["status", "updated_at"])
    ticket = QueueTicket.objects.select_for_update().filter(appointment=locked).first()
    if ticket is not None and ticket.status in _TICKET_OPEN:
        ticket.status = (
            QueueTicket.Status.SERVED
            if status == Appointment.Status.SERVED
            else QueueTicket.Status.NO_SHOW
        )
        audit_as(ticket, actor=actor, reason=status)
        ticket.save(update_fields=["status"])
    return locked


@transaction.atomic
def appointment_mark_served(*, actor: Actor, appointment: Appointment) -> Appointment:
    return _appointment_finish(
        actor=actor, appointment=appointment, status=Appointment.Status.SERVED
    )


@transaction.atomic
def appointment_mark_no_show(*, actor: Actor, appointment: Appointment) -> Appointment:
    """The person did not come. The seat stays used: the slot time has passed anyway."""
    return _appointment_finish(
        actor=actor, appointment=appointment, status=Appointment.Status.NO_SHOW
    )


_TICKET_OPEN = (QueueTicket.Status.WAITING, QueueTicket.Status.CALLED)
WALK_IN_NAME_MAX_LENGTH = 100


@transaction.atomic
def queue_ticket_issue(
    *,
    actor: Actor,
    post: Post,
    appointment: Appointment | None = None,
    name: str = "",
    phone: str = "",
) -> QueueTicket:
    """The next queue number of today at ``post``, for a checked-in appointment or a walk-in."""
    scopes.actor_require(actor, Capability.POST_QUEUE_RUN)
    post_get_for_actor(actor=actor, post_id=post.pk)
    name = " ".join(name.split())
    if len(name) > WALK_IN_NAME_MAX_LENGTH or "\x00" in name:
        raise ApplicationError(
            "queue.name_invalid",
            _("Nama terlalu panjang (maksimal 100 karakter)."),
            field="name",
        )
    # The one rule for people's names (identity.names): it is shown on the queue screen.
    name, name_issue = person_name_check(name)
    if name_issue is not None:
        raise ApplicationError(name_issue.code, name_issue.message, field="name")
    phone = phone_normalise(phone) if phone.strip() else ""
    if appointment is not None and appointment.post_id != post.pk:
        raise ApplicationError(
            "queue.appointment_other_post", _("Janji temu ini untuk posko lain.")
        )
    today = timezone.localdate()
    # The race this prevents: two officers issuing a ticket at the same moment both read the
    # highest number (say 7) and both hand out 8. Locking the post's row serialises the
    # numbering per post; the unique (post, date, number) constraint is the backstop.
    Post.objects.select_for_update().filter(pk=post.pk).first()
    last = (
        QueueTicket.objects.filter(post=post, date=today).aggregate(last=Max("number"))["last"] or 0
    )
    ticket = QueueTicket(
        post=post,
        date=today,
        number=last + 1,
        appointment=appointment,
        name=name,
        phone=phone,
        issued_by=_user(actor),
    )
    audit_as(ticket, actor=actor)
    ticket.save()
    return ticket


@transaction.atomic
def queue_call_next(*, actor: Actor, post: Post) -> QueueTicket | None:
    """Call the lowest waiting number of today, or None when nobody is waiting."""
    scopes.actor_require(actor, Capability.POST_QUEUE_RUN)
    post_get_for_actor(actor=actor, post_id=post.pk)
    # SKIP LOCKED: two counters calling at once get two different people, not the same one.
    ticket = (
        QueueTicket.objects.select_for_update(skip_locked=True)
        .filter(post=post, date=timezone.localdate(), status=QueueTicket.Status.WAITING)
        .order_by("number")
        .first()
    )
    if ticket is None:
        return None
    ticket.status = QueueTicket.Status.CALLED
    ticket.called_at = timezone.now()
    audit_as(ticket, actor=actor, reason="call")
    ticket.save(update_fields=["status", "called_at"])
    return ticket


def _queue_ticket_finish(*, actor: Actor, ticket: QueueTicket, status: str) -> QueueTicket:
    scopes.actor_require(actor, Capability.POST_QUEUE_RUN)
    post_get_for_actor(actor=actor, post_id=ticket.post_id)
    locked = QueueTicket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status not in _TICKET_OPEN:
        raise ApplicationError(
            "queue.status_invalid",
            _("Nomor antrean ini sudah selesai (status: %(status)s).")
            % {"status": locked.get_status_display()},
        )
    if locked.appointment_id is not None:
        appointment = Appointment.objects.get(pk=locked.appointment_id)
        if status == QueueTicket.Status.SERVED:
            # Serving the ticket serves its appointment (which also closes this ticket).
            _appointment_finish(actor=actor, appointment=appointment, status=status)
            locked.refresh_from_db()
            return locked
    locked.status = status
    audit_as(locked, actor=actor, reason=status)
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def queue_ticket_mark_served(*, actor: Actor, ticket: QueueTicket) -> QueueTicket:
    return _queue_ticket_finish(actor=actor, ticket=ticket, status=QueueTicket.Status.SERVED)


@transaction.atomic
def queue_ticket_mark_no_show(*, actor: Actor, ticket: QueueTicket) -> QueueTicket:
    """Called but did not come forward. An appointment behind it stays checked in."""
    return _queue_ticket_finish(actor=actor, ticket=ticket, status=QueueTicket.Status.NO_SHOW)


@transaction.atomic
def assistance_visit_record(
    *,
    actor: Actor,
    post: Post,
    registration: Registration | None = None,
    services: Iterable[str],
) -> AssistanceVisit:
    """Record the services an officer gave one visitor at their post."""
    scopes.actor_require(actor, Capability.POST_QUEUE_RUN)
    post_get_for_actor(actor=actor, post_id=post.pk)
    chosen = set(services)
    if not chosen:
        raise ApplicationError(
            "assistance_visit.services_required",
            _("Pilih minimal satu layanan yang diberikan."),
            field="services",
        )
    unknown = chosen - set(AssistanceVisit.Service.values)
    if unknown:
        raise ApplicationError(
            "assistance_visit.service_invalid",
            _("Jenis layanan tidak dikenal."),
            field="services",
        )
    visit = AssistanceVisit(
        post=post,
        officer=_user(actor),
        registration=registration,
        services=sorted(chosen),
    )
    audit_as(visit, actor=actor)
    visit.save()
    return visit


@transaction.atomic
def holiday_bookings_cancel(*, holiday: Holiday, actor: Actor | None = None) -> int:
    """Cancel the bookings on a day declared closed after they were made (a national holiday:
    every post; a closure day: that post), give the seats back and tell each person by SMS,
    after commit, to book another day. Returns how many bookings were cancelled."""
    booked = Appointment.objects.select_for_update(of=("self",)).filter(
        date=holiday.date, status=Appointment.Status.BOOKED
    )
    if holiday.post_id is not None:
        booked = booked.filter(post_id=holiday.post_id)
    cancelled = 0
    for appointment in booked.select_related("post", "slot", "applicant", "registration"):
        appointment.status = Appointment.Status.CANCELLED
        audit_as(appointment, actor=actor, reason=f"posko tutup: {holiday.name}"[:100])
        appointment.save(update_fields=["status", "updated_at"])
        Slot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        cancelled += 1
        phone = _reminder_phone(appointment)
        if phone:
            body = (
                f"Prakerja Jatim: janji temu Anda di {appointment.post.name}, "
                f"{appointment.date:%d-%m-%Y} pukul {appointment.slot.start:%H.%M} WIB "
                f"dibatalkan karena posko tutup ({holiday.name}). Mohon pilih jadwal lain."
            )
            transaction.on_commit(partial(sms_send, to=phone, body=body))
    return cancelled


# --- Reminders ----------------------------------------------------------------------------------


def _reminder_text(appointment: Appointment) -> str:
    post = appointment.post
    text = (
        f"Prakerja Jatim: pengingat janji temu di {post.name}, "
        f"{appointment.date:%d-%m-%Y} pukul {appointment.slot.start:%H.%M} WIB."
    )
    if post.address:
        # The person has a booking, so a hidden address may be sent to them (SPEC §3.3).
        text += f" Alamat: {post.address}."
    return text + " Bila berhalangan, mohon batalkan agar kursi dipakai orang lain."


def _reminder_phone(appointment: Appointment) -> str:
    if appointment.applicant.phone:
        return str(appointment.applicant.phone)
    if appointment.registration is not None and appointment.registration.phone:
        return str(appointment.registration.phone)
    return ""


def appointment_reminders_send_for(*, date: dt.date) -> int:
    """Send one SMS per booked appointment on ``date`` that has not had its reminder yet."""
    sent = 0
    candidates = (
        Appointment.objects.filter(
            date=date, status=Appointment.Status.BOOKED, reminder_sent_at__isnull=True
        )
        .select_related("post", "slot", "applicant", "registration")
        .order_by("pk")
    )
    for appointment in candidates.iterator(chunk_size=500):
        phone = _reminder_phone(appointment)
        if not phone:
            continue
        with transaction.atomic():
            # Claim first, send after commit: two runs of this job (a retry, a second worker)
            # both see the appointment, but only one UPDATE matches ``reminder_sent_at IS
            # NULL``, so the SMS goes out once. A crash between commit and send loses one
            # reminder rather than sending two. update() writes no history row on purpose:
            # a reminder is not a change anybody made to the booking.
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            body = _reminder_text(appointment)
            transaction.on_commit(partial(sms_send, to=phone, body=body))
        sent += 1
    return sent
