"""Booking, cancelling and running appointments at a post (slots, check-in, outcome)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import scopes
from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, Capability, actor_role
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import (
    Appointment,
    Channel,
    Post,
    Slot,
)
from prakerja.assistance.scopes import post_get_for_actor
from prakerja.assistance.selectors import holiday_on
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.notifications.services import sms_send
from prakerja.registry.models import Registration

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
            AssistanceError.SLOT_DATE_PAST,
            _("Tanggal sudah lewat. Pilih hari ini atau tanggal berikutnya."),
            field="date",
        )
    if date > today + dt.timedelta(days=BOOKING_WINDOW_DAYS):
        raise ApplicationError(
            AssistanceError.SLOT_DATE_TOO_FAR,
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
        raise _forbidden(AssistanceError.APPOINTMENT_FORBIDDEN)
    if channel not in Channel.values:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_CHANNEL_INVALID,
            _("Kanal pemesanan tidak dikenal."),
            field="channel",
        )
    if channel not in _BOOKING_CHANNELS[role]:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_CHANNEL_INVALID,
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
        raise _forbidden(AssistanceError.APPOINTMENT_FORBIDDEN)
    if applicant.role != Role.APPLICANT or not applicant.is_active:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_APPLICANT_INVALID,
            _("Janji temu hanya dapat dibuat untuk akun pendaftar yang aktif."),
            field="applicant",
        )
    if registration is not None and registration.user_id != applicant.pk:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_REGISTRATION_MISMATCH,
            _("Nomor pendaftaran ini bukan milik pendaftar tersebut."),
            field="registration",
        )
    if not post.is_active:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_POST_INACTIVE, _("Posko ini sedang tidak melayani.")
        )
    holiday = holiday_on(post=post, date=slot.date)
    if holiday is not None:
        # Slots made before the day was declared closed stay in the table; nobody books them.
        raise ApplicationError(
            AssistanceError.APPOINTMENT_HOLIDAY,
            format_lazy(
                _("Posko tutup pada {date} ({name}). Silakan pilih tanggal lain."),
                date=date_format(holiday.date, "j F Y"),
                name=holiday.name,
            ),
            field="slot",
        )
    if slot.date < timezone.localdate() or _slot_started(slot):
        raise ApplicationError(
            AssistanceError.APPOINTMENT_SLOT_PAST,
            _("Jam ini sudah lewat. Silakan pilih jam lain."),
            field="slot",
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
            AssistanceError.APPOINTMENT_SLOT_FULL,
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
    phone = str(applicant.phone or (registration.phone if registration is not None else "") or "")
    if phone:
        # The booking page promised the address once booked: it goes with the date and time.
        body = appointment_booked_text(appointment)
        transaction.on_commit(partial(sms_send, to=phone, body=body))
    return appointment


def appointment_booked_text(appointment: Appointment) -> str:
    post = appointment.post
    text = gettext(
        "Prakerja Jatim: jadwal kunjungan Anda di %(post)s, %(date)s pukul %(time)s WIB."
    ) % {
        "post": post.name,
        "date": date_format(appointment.date, "l, j F Y"),
        "time": f"{appointment.slot.start:%H.%M}",
    }
    if post.address:
        text += " " + gettext("Alamat: %(address)s.") % {"address": post.address}
    return text + " " + gettext("Bawa KTP dan Kartu Keluarga.")


def _already_booked() -> ApplicationError:
    return ApplicationError(
        AssistanceError.APPOINTMENT_ALREADY_BOOKED,
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
        AssistanceError.APPOINTMENT_STATUS_INVALID,
        _("Janji temu ini berstatus “%(status)s”; perubahan ini tidak dapat dilakukan.")
        % {"status": appointment.get_status_display()},
    )


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment and give its seat back to the slot."""
    role = actor_role(actor)
    if role == Role.APPLICANT:
        if appointment.applicant_id != getattr(actor, "pk", None):
            raise _forbidden(AssistanceError.APPOINTMENT_FORBIDDEN)
    elif role in {Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN, Role.OFFICER}:
        post_get_for_actor(actor=actor, post_id=appointment.post_id)
    else:
        raise _forbidden(AssistanceError.APPOINTMENT_FORBIDDEN)
    locked = _appointment_locked(appointment)
    if locked.status != Appointment.Status.BOOKED:
        raise ApplicationError(
            AssistanceError.APPOINTMENT_NOT_CANCELLABLE,
            _("Janji temu ini tidak dapat dibatalkan lagi (status: %(status)s).")
            % {"status": locked.get_status_display()},
        )
    locked.status = Appointment.Status.CANCELLED
    audit_as(locked, actor=actor, reason="cancel")
    locked.save(update_fields=["status", "updated_at"])
    # The mirror of the booking UPDATE: decrement in the database, never below zero.
    Slot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    return locked
