"""Pages of the assistance app: the public post list, the applicant's booking pages and the
officer's queue page. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role, User
from prakerja.assistance import selectors, services
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.forms import BookingForm, DateChoiceForm, WalkInForm
from prakerja.assistance.models import Appointment, Channel, Post, QueueTicket
from prakerja.assistance.scopes import post_get_for_actor
from prakerja.core.calendar import calendar_event
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.idempotency import once_per_submission_token


def _once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``once_per_submission_token`` (a double-clicked or resent form runs once), typed for
    the decorators around it; every answer it gives is an ``HttpResponse``."""
    return cast(Callable[..., HttpResponse], once_per_submission_token(view))


@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    """The 56 posts, searchable by name or regency; the person's own regency first."""
    text = request.GET.get("q", "")[:100]
    regency_code = request.GET.get("kabupaten", "")[:4]
    if not (regency_code.isascii() and regency_code.isdigit()):
        regency_code = ""
    own = selectors.own_regency_code(user=request.user)
    groups = selectors.post_search(text=text, regency_code=regency_code, own_regency_code=own)
    searched = bool(text.strip() or regency_code)
    return render(
        request,
        "assistance/post_list.html",
        {
            "groups": groups,
            "post_count": sum(len(posts) for _, posts in groups),
            "lines": selectors.call_centre_lines(),
            "regencies": selectors.post_regencies(),
            "q": text,
            "chosen_regency": regency_code,
            "own_regency": own,
            "searched": searched,
        },
    )


# --- Applicant: booking -------------------------------------------------------------------

BOOKING_TEMPLATE = "assistance/booking.html"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def slot_choices_context(
    *, post: Post, date: dt.date | None, chosen_slot: int | None = None
) -> dict[str, Any]:
    """Free slots of ``post`` on ``date`` for the slot picker partial (also used by the call
    centre's booking form). A bad date becomes a message, never an error page."""
    context: dict[str, Any] = {"post": post, "date": date, "slots": [], "chosen_slot": chosen_slot}
    if date is None:
        return context
    try:
        services.slots_generate(post=post, date=date)
    except ApplicationError as exc:
        context["date_error"] = exc.message
        return context
    context["slots"] = selectors.slot_list_free(post=post, date=date)
    return context


def _date_from(data: Any, dates: list[dt.date]) -> tuple[dt.date | None, str | None]:
    form = DateChoiceForm(data)
    if form.is_valid():
        return form.cleaned_data["date"], None
    if data.get("date"):
        return None, str(form.errors["date"][0])
    return (dates[0] if dates else None), None


@never_cache
@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
@_once
def booking(request: HttpRequest, code: str) -> HttpResponse:
    post = selectors.post_get_public(code=code)
    dates = selectors.bookable_dates(post=post)
    error: str | None = None
    chosen_slot: int | None = None
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            date = form.cleaned_data["date"]
            chosen_slot = form.cleaned_data["slot"]
            try:
                slot = selectors.slot_get_for_post(post=post, slot_id=chosen_slot)
                appointment = services.appointment_book(
                    actor=request.user,
                    slot=slot,
                    applicant=_user(request),
                    registration=selectors.registration_of_applicant(applicant=_user(request)),
                    channel=Channel.ONLINE,
                )
            except ApplicationError as exc:
                # Keep the chosen date (and slot, should it free up) so the person only picks
                # another time.
                error = str(exc.message)
            else:
                return redirect(reverse("assistance:my_appointments") + f"?baru={appointment.pk}")
        else:
            date, date_error = _date_from(request.POST, dates)
            first = next(iter(form.errors.values()))
            error = date_error or str(first[0])
    else:
        date, error = _date_from(request.GET, dates)
    context = slot_choices_context(post=post, date=date, chosen_slot=chosen_slot)
    context.update(
        {
            "dates": dates,
            "error": error,
            "address": selectors.post_address_for_actor(actor=request.user, post=post),
        }
    )
    return render(request, BOOKING_TEMPLATE, context, status=200)


@never_cache
@role_required(Role.APPLICANT)
@require_GET
def booking_slots(request: HttpRequest, code: str) -> HttpResponse:
    """The slot picker for one date (htmx swaps it in when the date changes)."""
    post = selectors.post_get_public(code=code)
    date, error = _date_from(request.GET, selectors.bookable_dates(post=post))
    context = slot_choices_context(post=post, date=date)
    if error:
        context["date_error"] = error
    return render(request, f"{BOOKING_TEMPLATE}#slots", context)


@never_cache
@role_required(Role.APPLICANT)
@require_GET
def my_appointments(request: HttpRequest) -> HttpResponse:
    appointments = list(selectors.appointment_list_for_applicant(applicant=_user(request)))
    for appointment in appointments:
        # An attribute for the template: whether this person may see the address now.
        appointment.visible_address = selectors.post_address_for_actor(  # type: ignore[attr-defined]
            actor=request.user, post=appointment.post
        )
    just_booked = request.GET.get("baru", "")
    confirmed = next(
        (
            a
            for a in appointments
            if str(a.pk) == just_booked and a.status == Appointment.Status.BOOKED
        ),
        None,
    )
    return render(
        request,
        "assistance/my_appointments.html",
        {
            "appointments": appointments,
            "booked": Appointment.Status.BOOKED,
            "confirmed": confirmed,
        },
    )


@role_required(Role.APPLICANT)
@require_GET
def appointment_calendar(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The booking as a calendar file (.ics): a phone adds it to its calendar or keeps it."""
    appointment = selectors.appointment_get_for_actor(
        actor=request.user, appointment_id=appointment_id
    )
    address = selectors.post_address_for_actor(actor=request.user, post=appointment.post) or ""
    body = calendar_event(
        uid=f"janji-{appointment.pk}@prakerja",
        start=dt.datetime.combine(appointment.date, appointment.slot.start),
        end=dt.datetime.combine(appointment.date, appointment.slot.end),
        summary=_("Kunjungan posko Prakerja: %(post)s") % {"post": appointment.post.name},
        location=address,
        description=_("Bawa KTP dan Kartu Keluarga."),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="janji-temu-{appointment.pk}.ics"'
    return response


@role_required(Role.APPLICANT)
@require_POST
@_once
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_actor(
        actor=request.user, appointment_id=appointment_id
    )
    try:
        services.appointment_cancel(actor=request.user, appointment=appointment)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Janji temu dibatalkan. Terima kasih telah memberi tahu."))
    return redirect("assistance:my_appointments")


# --- Officer: the queue of today ----------------------------------------------------------


def _queue_post(request: HttpRequest) -> Post:
    """The officer's own post; a superadmin names one with ``?posko=<code>``."""
    user = _user(request)
    if user.post_id is not None:
        return post_get_for_actor(actor=user, post_id=user.post_id)
    code = (request.POST.get("posko") or request.GET.get("posko") or "").strip()
    post = Post.objects.filter(code=code[:60]).first() if code else None
    if post is None:
        raise NotFound(AssistanceError.POST_NOT_FOUND, _("Posko tidak ditemukan."))
    return post_get_for_actor(actor=user, post_id=post.pk)


def _back_to_queue(post: Post, request: HttpRequest) -> HttpResponseRedirect:
    url = reverse("assistance:queue")
    if _user(request).post_id is None:
        url += f"?posko={post.code}"
    return HttpResponseRedirect(url)


@never_cache
@role_required(Role.OFFICER)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, _queue_post(request), WalkInForm())


def _queue_page(
    request: HttpRequest, post: Post, walk_in_form: WalkInForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "assistance/queue.html",
        {
            "day": selectors.queue_day_for_post(post=post),
            "walk_in_form": walk_in_form,
            "Status": Appointment.Status,
            "TicketStatus": QueueTicket.Status,
        },
        status=status,
    )


@never_cache
@role_required(Role.OFFICER)
@require_GET
def upcoming(request: HttpRequest) -> HttpResponse:
    """The post's bookings for the coming days, so the officer can plan staff and slots."""
    post = _queue_post(request)
    days = selectors.appointments_upcoming_for_post(post=post)
    return render(
        request,
        "assistance/upcoming.html",
        {"post": post, "days": days, "total": sum(len(day[1]) for day in days)},
    )


_APPOINTMENT_ACTIONS = {
    "check_in": (services.appointment_check_in, _("Kedatangan dicatat.")),
    "served": (services.appointment_mark_served, _("Ditandai sudah dilayani.")),
    "no_show": (services.appointment_mark_no_show, _("Ditandai tidak datang.")),
}
_TICKET_ACTIONS = {
    "served": (services.queue_ticket_mark_served, _("Ditandai sudah dilayani.")),
    "no_show": (services.queue_ticket_mark_no_show, _("Ditandai tidak hadir.")),
}


@role_required(Role.OFFICER)
@require_POST
@_once
def queue_appointment_action(
    request: HttpRequest, appointment_id: int, action: str
) -> HttpResponse:
    appointment = selectors.appointment_get_for_actor(
        actor=request.user, appointment_id=appointment_id
    )
    service, done = _APPOINTMENT_ACTIONS[action]
    try:
        service(actor=request.user, appointment=appointment)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return _back_to_queue(appointment.post, request)


@role_required(Role.OFFICER)
@require_POST
@_once
def queue_ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    post = _queue_post(request)
    ticket = QueueTicket.objects.filter(pk=ticket_id, post=post).first()
    if ticket is None:
        raise NotFound(AssistanceError.QUEUE_NOT_FOUND, _("Nomor antrean tidak ditemukan."))
    service, done = _TICKET_ACTIONS[action]
    try:
        service(actor=request.user, ticket=ticket)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return _back_to_queue(post, request)


@role_required(Role.OFFICER)
@require_POST
@_once
def queue_ticket_issue(request: HttpRequest) -> HttpResponse:
    post = _queue_post(request)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, post, form, status=400)
    ticket = services.queue_ticket_issue(
        actor=request.user,
        post=post,
        name=form.cleaned_data["name"],
        phone=form.cleaned_data["phone"],
    )
    messages.success(
        request, _("Nomor antrean %(number)s diberikan.") % {"number": ticket.display_number}
    )
    return _back_to_queue(post, request)


@role_required(Role.OFFICER)
@require_POST
@_once
def queue_call_next(request: HttpRequest) -> HttpResponse:
    post = _queue_post(request)
    ticket = services.queue_call_next(actor=request.user, post=post)
    if ticket is None:
        messages.info(request, _("Tidak ada yang sedang menunggu."))
    else:
        messages.success(
            request, _("Memanggil nomor %(number)s.") % {"number": ticket.display_number}
        )
    return _back_to_queue(post, request)
