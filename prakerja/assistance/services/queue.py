"""On the day at the post: check-in, the visitor queue (appointments and walk-ins), the
outcome of a visit and the services given."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import scopes
from prakerja.accounts.scopes import Actor, Capability
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import (
    Appointment,
    AssistanceVisit,
    Post,
    QueueTicket,
)
from prakerja.assistance.scopes import post_get_for_actor
from prakerja.assistance.services.appointments import (
    _appointment_locked,
    _appointment_manage_check,
    _status_invalid,
    _user,
)
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.identity.names import person_name_check
from prakerja.identity.phones import phone_normalise
from prakerja.registry.models import Registration

_TICKET_OPEN = (QueueTicket.Status.WAITING, QueueTicket.Status.CALLED)
WALK_IN_NAME_MAX_LENGTH = 100


@transaction.atomic
def appointment_check_in(*, actor: Actor, appointment: Appointment) -> Appointment:
    """The person has arrived: mark it and give them a queue number."""
    _appointment_manage_check(actor=actor, appointment=appointment)
    locked = _appointment_locked(appointment)
    if locked.status != Appointment.Status.BOOKED:
        raise _status_invalid(locked)
    if locked.date != timezone.localdate():
        raise ApplicationError(
            AssistanceError.APPOINTMENT_NOT_TODAY,
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
            AssistanceError.QUEUE_NAME_INVALID,
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
            AssistanceError.QUEUE_APPOINTMENT_OTHER_POST, _("Janji temu ini untuk posko lain.")
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
            AssistanceError.QUEUE_STATUS_INVALID,
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
            AssistanceError.ASSISTANCE_VISIT_SERVICES_REQUIRED,
            _("Pilih minimal satu layanan yang diberikan."),
            field="services",
        )
    unknown = chosen - set(AssistanceVisit.Service.values)
    if unknown:
        raise ApplicationError(
            AssistanceError.ASSISTANCE_VISIT_SERVICE_INVALID,
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
