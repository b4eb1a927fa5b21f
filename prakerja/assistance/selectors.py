from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import scopes
from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import (
    Appointment,
    CallCentreLine,
    Holiday,
    Post,
    QueueTicket,
    Slot,
)
from prakerja.assistance.scopes import post_get_for_actor
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.regions.models import Regency
from prakerja.registry.models import Registration


@dataclass(frozen=True)
class PublicPost:
    """What anyone may see of a post: the address only when it is public."""

    code: str
    name: str
    kind: str
    kind_label: str
    regency_code: str
    regency_name: str
    opening_hours: str
    address: str | None


def _public(post: Post) -> PublicPost:
    return PublicPost(
        code=post.code,
        name=post.name,
        kind=post.kind,
        kind_label=str(post.get_kind_display()),
        regency_code=post.regency_id,
        regency_name=post.regency.name,
        opening_hours=post.opening_hours,
        address=post.address if post.address_public and post.address else None,
    )


def post_public_list(*, regency_code: str | None = None) -> list[PublicPost]:
    qs = Post.objects.filter(is_active=True).select_related("regency")
    if regency_code:
        qs = qs.filter(regency_id=regency_code)
    return [_public(post) for post in qs.order_by("regency__name", "kind", "name")]


def post_public_by_regency() -> list[tuple[str, list[PublicPost]]]:
    posts = post_public_list()
    return [(name, list(group)) for name, group in groupby(posts, key=lambda p: p.regency_name)]


def post_search(
    *, text: str = "", regency_code: str | None = None, own_regency_code: str | None = None
) -> list[tuple[str, list[PublicPost]]]:
    """Posts grouped by regency for the public list: matching ``text`` (in the post's name or
    its regency's name, case-insensitive) and ``regency_code`` when given; the person's own
    regency first, then the others by name."""
    posts = post_public_list(regency_code=regency_code or None)
    needle = " ".join(text.split()).casefold()
    if needle:
        posts = [
            p for p in posts if needle in p.name.casefold() or needle in p.regency_name.casefold()
        ]
    groups = [(name, list(group)) for name, group in groupby(posts, key=lambda p: p.regency_name)]
    if own_regency_code:
        groups.sort(key=lambda group: group[1][0].regency_code != own_regency_code)
    return groups


def post_regencies() -> QuerySet[Regency]:
    return Regency.objects.filter(posts__is_active=True).distinct().order_by("name")


def call_centre_lines() -> QuerySet[CallCentreLine]:
    return CallCentreLine.objects.filter(is_active=True)


# --- Appointments -----------------------------------------------------------------------------


def post_get_public(*, code: str) -> Post:
    """An active post by its code, for public pages and the API."""
    post = Post.objects.select_related("regency").filter(code=code, is_active=True).first()
    if post is None:
        raise NotFound(AssistanceError.POST_NOT_FOUND, _("Posko tidak ditemukan."))
    return post


def slot_list_free(*, post: Post, date: dt.date) -> list[Slot]:
    """Slots of ``post`` on ``date`` with a free seat that have not started yet (none on a
    holiday or closure day, also when the slots were made before it was declared)."""
    if holiday_on(post=post, date=date) is not None:
        return []
    qs = Slot.objects.filter(post=post, date=date, booked__lt=F("capacity")).order_by("start")
    now = timezone.localtime()
    if date == now.date():
        qs = qs.filter(start__gt=now.time())
    elif date < now.date():
        return []
    return list(qs)


def slot_get_for_post(*, post: Post, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("post").filter(pk=slot_id, post=post).first()
    if slot is None:
        raise NotFound(
            AssistanceError.SLOT_NOT_FOUND, _("Jadwal tidak ditemukan. Pilih jam yang tersedia.")
        )
    return slot


def holiday_on(*, post: Post, date: dt.date) -> Holiday | None:
    """The national holiday or this post's closure day on ``date``, if any."""
    return Holiday.objects.filter(Q(post=None) | Q(post=post), date=date).order_by("post").first()


def bookable_dates(*, post: Post, days: int = 14) -> list[dt.date]:
    """Days from today on which the post is open (weekday, no holiday or closure), within the
    booking window."""
    today = timezone.localdate()
    last = today + dt.timedelta(days=days)
    closed = set(
        Holiday.objects.filter(Q(post=None) | Q(post=post), date__range=(today, last)).values_list(
            "date", flat=True
        )
    )
    return [
        day
        for day in (today + dt.timedelta(days=n) for n in range(days + 1))
        if str(day.isoweekday()) in post.open_weekdays and day not in closed
    ]


def appointment_list_for_applicant(*, applicant: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(applicant=applicant)
        .select_related("post", "slot")
        .order_by("-date", "-slot__start")
    )


def appointment_get_for_actor(*, actor: Actor | None, appointment_id: int) -> Appointment:
    """An appointment the actor may see: the applicant their own, an officer those of their
    post, the call centre and province-wide staff all."""
    appointment = (
        Appointment.objects.select_related("post", "slot", "applicant")
        .filter(pk=appointment_id)
        .first()
    )
    role = scopes.actor_role(actor)
    if role is None or role in {Role.PROVIDER, Role.DATA_OFFICER}:
        raise PermissionDenied(
            AssistanceError.APPOINTMENT_FORBIDDEN, _("Anda tidak berhak mengakses data ini.")
        )
    if appointment is None:
        raise NotFound(AssistanceError.APPOINTMENT_NOT_FOUND, _("Janji temu tidak ditemukan."))
    if role == Role.APPLICANT:
        if appointment.applicant_id != getattr(actor, "pk", None):
            # Someone else's booking looks like a missing one: ids reveal nothing.
            raise NotFound(AssistanceError.APPOINTMENT_NOT_FOUND, _("Janji temu tidak ditemukan."))
        return appointment
    post_get_for_actor(actor=actor, post_id=appointment.post_id)
    return appointment


def post_address_for_actor(*, actor: Actor | None, post: Post) -> str | None:
    """The post's address if this person may see it, else None.

    Public addresses are for everyone. A hidden one (SPEC §3.3: posts are for people who cannot
    register online, so locations are not publicised) is shown to someone with an active
    booking at the post that is today or later, and to staff whose scope covers the post.
    """
    if not post.address:
        return None
    if post.address_public:
        return post.address
    role = scopes.actor_role(actor)
    if role is None:
        return None
    if role == Role.APPLICANT:
        has_booking = Appointment.objects.filter(
            applicant_id=getattr(actor, "pk", None),
            post=post,
            status__in=Appointment.ACTIVE_STATUSES,
            date__gte=timezone.localdate(),
        ).exists()
        return post.address if has_booking else None
    try:
        post_get_for_actor(actor=actor, post_id=post.pk)
    except PermissionDenied:
        return None
    return post.address


@dataclass(frozen=True)
class QueueDay:
    post: Post
    date: dt.date
    appointments: list[Appointment]
    tickets: list[QueueTicket]

    @property
    def waiting(self) -> int:
        return sum(t.status == QueueTicket.Status.WAITING for t in self.tickets)


def queue_day_for_post(*, post: Post, date: dt.date | None = None) -> QueueDay:
    """Today's appointments and queue tickets at a post (scope is checked by the caller)."""
    date = date or timezone.localdate()
    appointments = list(
        Appointment.objects.filter(post=post, date=date)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("slot", "applicant", "registration", "queue_ticket")
        .order_by("slot__start", "id")
    )
    tickets = list(
        QueueTicket.objects.filter(post=post, date=date)
        .select_related("appointment__applicant")
        .order_by("number")
    )
    return QueueDay(post=post, date=date, appointments=appointments, tickets=tickets)


UPCOMING_DAYS = 7


def appointments_upcoming_for_post(
    *, post: Post, days: int = UPCOMING_DAYS, today: dt.date | None = None
) -> list[tuple[dt.date, list[Appointment]]]:
    """Active bookings at a post for today and the next ``days - 1`` days, per day, every day
    listed (an empty day too, so the officer sees it is free). Scope is checked by the caller."""
    start = today or timezone.localdate()
    end = start + dt.timedelta(days=days - 1)
    by_day: dict[dt.date, list[Appointment]] = {
        start + dt.timedelta(days=n): [] for n in range(days)
    }
    appointments = (
        Appointment.objects.filter(
            post=post, date__gte=start, date__lte=end, status__in=Appointment.ACTIVE_STATUSES
        )
        .select_related("slot", "applicant", "registration")
        .order_by("date", "slot__start", "id")
    )
    for appointment in appointments:
        by_day[appointment.date].append(appointment)
    return list(by_day.items())


def own_regency_code(*, user: Any) -> str | None:
    """The regency an applicant lives in (their registration's domicile), for "near you"."""
    if not getattr(user, "is_authenticated", False):
        return None
    regency_code: str | None = (
        Registration.objects.filter(user=user, domicile_regency__isnull=False)
        .order_by("-created_at")
        .values_list("domicile_regency_id", flat=True)
        .first()
    )
    return regency_code


def registration_of_applicant(*, applicant: User) -> Registration | None:
    """The applicant's registration, to link to a booking (registry read-only)."""
    return Registration.objects.filter(user=applicant).order_by("-created_at").first()
