"""Reads of the call-centre console."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor
from prakerja.assistance.models import Appointment, CallCentreLine
from prakerja.callcenter.errors import CallCentreError
from prakerja.callcenter.models import CallLog, Ticket
from prakerja.callcenter.services import CONSOLE_ROLES, console_require
from prakerja.core.errors import NotFound
from prakerja.identity.phones import phone_mask
from prakerja.registry.models import Registration
from prakerja.registry.selectors import registration_get_for_actor


@dataclass(frozen=True)
class RegistrationSummary:
    """What an agent needs on the phone, without the NIK: the caller confirms who they are."""

    registration: Registration
    reference: str
    full_name: str
    status_label: str
    channel_label: str
    phone_masked: str
    regency_name: str
    applicant: User
    appointments: list[Appointment]


def registration_lookup(*, actor: Actor | None, reference: str) -> RegistrationSummary:
    """A registration by its reference (registry read-only), for the console."""
    console_require(actor)
    registration = registration_get_for_actor(actor=actor, reference=reference)
    regency = registration.domicile_regency
    return RegistrationSummary(
        registration=registration,
        reference=registration.reference,
        full_name=registration.full_name,
        status_label=str(registration.get_status_display()),
        channel_label=str(registration.get_channel_display()),
        phone_masked=phone_mask(str(registration.phone)) if registration.phone else "",
        regency_name=regency.name if regency else "",
        applicant=registration.user,
        appointments=list(
            Appointment.objects.filter(applicant=registration.user)
            .select_related("post", "slot")
            .order_by("-date")[:5]
        ),
    )


def call_list_recent(*, actor: Actor | None, limit: int = 20) -> QuerySet[CallLog]:
    console_require(actor)
    return CallLog.objects.select_related("line", "agent", "registration", "ticket").order_by(
        "-created_at", "-id"
    )[:limit]


def ticket_list(*, actor: Actor | None, status: str | None = None) -> QuerySet[Ticket]:
    console_require(actor)
    qs = Ticket.objects.select_related("owner", "call__line", "call__registration")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_date", "id")


def ticket_get(*, actor: Actor | None, ticket_id: int) -> Ticket:
    console_require(actor)
    ticket = (
        Ticket.objects.select_related("owner", "call__line", "call__agent", "call__registration")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(CallCentreError.TICKET_NOT_FOUND, _("Tiket tidak ditemukan."))
    return ticket


def ticket_owner_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=CONSOLE_ROLES).order_by("full_name")


def call_centre_lines_active() -> QuerySet[CallCentreLine]:
    return CallCentreLine.objects.filter(is_active=True).order_by("number")
