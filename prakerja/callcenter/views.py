"""The call-centre console: look up a caller's registration, log the call, work the complaint
tickets, book a posko visit and send an account-recovery SMS on the caller's behalf."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role
from prakerja.accounts.services import applicant_recovery_start
from prakerja.assistance import selectors as assistance_selectors
from prakerja.assistance import services as assistance_services
from prakerja.assistance.console.selectors import QueryKind
from prakerja.assistance.models import Channel, Post
from prakerja.assistance.views import slot_choices_context
from prakerja.callcenter import selectors, services
from prakerja.callcenter.forms import (
    CallBookingForm,
    CallLogForm,
    LookupForm,
    RecoveryForm,
    TicketUpdateForm,
)
from prakerja.callcenter.models import Ticket
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.registry.phone_change import phone_change_page

console_only = role_required(Role.CALLCENTRE, Role.MANAGER)


def _once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``once_per_submission_token`` (a double-clicked or resent form runs once)."""
    return cast(Callable[..., HttpResponse], once_per_submission_token(view))


def _lookup(request: HttpRequest, reference: str) -> tuple[Any, str | None]:
    if not reference:
        return None, None
    try:
        return selectors.registration_lookup(actor=request.user, reference=reference), None
    except ApplicationError as exc:
        return None, str(exc.message)


def _console_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    lookup_form = LookupForm(request.GET or None)
    summary, lookup_error = None, None
    if lookup_form.is_bound:
        if lookup_form.is_valid():
            summary, lookup_error = _lookup(request, lookup_form.cleaned_data["ref"])
        else:
            lookup_error = str(next(iter(lookup_form.errors.values()))[0])
    context: dict[str, Any] = {
        "lookup_form": lookup_form,
        "summary": summary,
        "lookup_error": lookup_error,
        "call_form": CallLogForm(initial={"reference": summary.reference if summary else ""}),
        "recovery_form": RecoveryForm(),
        "calls": selectors.call_list_recent(actor=request.user),
    }
    context.update(extra)
    return context


@never_cache
@console_only
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "callcenter/console.html", _console_context(request))


@never_cache
@console_only
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    """NIK, phone or reference (POSTed: a NIK never travels in a URL). One registration found
    by its reference opens at once; otherwise the matches, names masked, to confirm first."""
    text = request.POST.get("q", "")[:64]
    try:
        found = services.caller_search(actor=request.user, text=text)
    except ApplicationError as exc:
        if exc.status not in (400, 429):
            raise
        context = _console_context(request, search_error=str(exc.message), search_text=text)
        return render(request, "callcenter/console.html", context, status=exc.status)
    matches = found.matches
    if found.kind == QueryKind.REFERENCE and len(matches) == 1:
        return redirect(f"{reverse('callcenter:console')}?ref={matches[0].reference}")
    # The NIK typed is not sent back into the page.
    shown = "" if found.kind == QueryKind.NIK else text
    context = _console_context(request, matches=matches, search_text=shown)
    return render(request, "callcenter/console.html", context)


@never_cache
@console_only
@require_POST
@_once
def call_create(request: HttpRequest) -> HttpResponse:
    form = CallLogForm(request.POST)
    error: str | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = None
            if data["reference"]:
                registration = selectors.registration_lookup(
                    actor=request.user, reference=data["reference"]
                ).registration
            call = services.call_log(
                actor=request.user,
                line=data["line"],
                category=data["category"],
                registration=registration,
                outcome=data["outcome"],
                notes=data["notes"],
                caller_phone=data["caller_phone"],
            )
        except ApplicationError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            elif exc.field == "reference" or exc.code.startswith("registration."):
                form.add_error("reference", str(exc.message))
            else:
                error = str(exc.message)
        else:
            if hasattr(call, "ticket"):
                messages.success(
                    request,
                    _("Panggilan dicatat dan tiket pengaduan #%(id)s dibuka.")
                    % {"id": call.ticket.pk},
                )
            else:
                messages.success(request, _("Panggilan dicatat."))
            return redirect("callcenter:console")
    return render(
        request,
        "callcenter/console.html",
        _console_context(request, call_form=form, call_error=error),
        status=400,
    )


@never_cache
@console_only
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Ticket.Status.values:
        status = ""
    return render(
        request,
        "callcenter/ticket_list.html",
        {
            "tickets": selectors.ticket_list(actor=request.user, status=status or None),
            "status": status,
            "statuses": Ticket.Status.choices,
            "today": timezone.localdate(),
        },
    )


@never_cache
@console_only
@require_http_methods(["GET", "POST"])
@_once
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(actor=request.user, ticket_id=ticket_id)
    owners = selectors.ticket_owner_choices()
    error: str | None = None
    if request.method == "POST":
        form = TicketUpdateForm(request.POST, owners=owners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.ticket_update(
                    actor=request.user,
                    ticket=ticket,
                    status=data["status"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                    note=data["note"],
                )
            except ApplicationError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, str(exc.message))
                else:
                    error = str(exc.message)
            else:
                messages.success(request, _("Tiket diperbarui."))
                return redirect("callcenter:ticket_detail", ticket_id=ticket.pk)
    else:
        form = TicketUpdateForm(
            initial={"status": ticket.status, "owner": ticket.owner, "due_date": ticket.due_date},
            owners=owners,
        )
    return render(
        request,
        "callcenter/ticket_detail.html",
        {
            "ticket": ticket,
            "form": form,
            "error": error,
            "notes": ticket.notes.select_related("author"),
            "closed": ticket.status == Ticket.Status.CLOSED,
        },
        status=400 if request.method == "POST" else 200,
    )


def _booking_context(request: HttpRequest, data: Any) -> dict[str, Any]:
    form = CallBookingForm(data)
    form.is_valid()  # partial input is normal here: the agent fills it in step by step
    cleaned = getattr(form, "cleaned_data", {})
    post: Post | None = cleaned.get("posko")
    summary, lookup_error = _lookup(request, cleaned.get("ref", ""))
    context: dict[str, Any] = {
        "form": form,
        "summary": summary,
        "lookup_error": lookup_error,
        "posts": Post.objects.filter(is_active=True).order_by("name"),
        "chosen_post": post,
        "dates": assistance_selectors.bookable_dates(post=post) if post else [],
        # A caller with no registration yet: booked by the phone number the SMS goes to.
        "new_caller": bool(cleaned.get("baru")) and not cleaned.get("ref"),
    }
    if post is not None:
        date = cleaned.get("date") or (context["dates"][0] if context["dates"] else None)
        context.update(slot_choices_context(post=post, date=date, chosen_slot=cleaned.get("slot")))
    return context


@never_cache
@console_only
@require_http_methods(["GET", "POST"])
@_once
def appointment_book(request: HttpRequest) -> HttpResponse:
    """Book a posko visit for a caller identified by their registration reference."""
    if request.method == "GET":
        return render(
            request,
            "callcenter/booking.html",
            _booking_context(request, request.GET if request.GET else None),
        )
    context = _booking_context(request, request.POST)
    form: CallBookingForm = context["form"]
    error: str | None = None
    if form.is_valid() and context["new_caller"]:
        phone = form.cleaned_data.get("phone") or ""
        if not phone:
            error = str(_("Isi nomor HP penelepon: jadwal dan alamat posko dikirim ke nomor itu."))
        else:
            try:
                slot = assistance_selectors.slot_get_for_post(
                    post=form.cleaned_data["posko"], slot_id=form.cleaned_data["slot"]
                )
                services.caller_visit_book(actor=request.user, phone=phone, slot=slot)
            except ApplicationError as exc:
                error = str(exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Jadwal kunjungan sudah dipesan; tanggal, jam, dan alamat posko dikirim "
                        "lewat SMS ke penelepon."
                    ),
                )
                return redirect("callcenter:console")
    elif form.is_valid() and context["summary"] is not None:
        summary = context["summary"]
        try:
            slot = assistance_selectors.slot_get_for_post(
                post=form.cleaned_data["posko"], slot_id=form.cleaned_data["slot"]
            )
            assistance_services.appointment_book(
                actor=request.user,
                slot=slot,
                applicant=summary.applicant,
                registration=summary.registration,
                channel=Channel.CALLCENTRE,
            )
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("Jadwal kunjungan untuk %(ref)s sudah dipesan.") % {"ref": summary.reference},
            )
            return redirect(f"{reverse('callcenter:console')}?ref={summary.reference}")
    elif form.errors:
        error = str(next(iter(form.errors.values()))[0])
    else:
        error = context["lookup_error"]
    context["error"] = error
    return render(request, "callcenter/booking.html", context, status=400)


@never_cache
@console_only
@require_GET
def booking_slots(request: HttpRequest) -> HttpResponse:
    """The slot picker for the chosen post and date (htmx)."""
    return render(
        request,
        "callcenter/booking.html#picker",
        _booking_context(request, request.GET),
    )


@console_only
@require_POST
@_once
def recovery_start(request: HttpRequest) -> HttpResponse:
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return redirect("callcenter:console")
    try:
        applicant_recovery_start(actor=request.user, phone=form.cleaned_data["phone"])  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        # The same words whether or not the number has an account: the screen must not tell
        # the agent (or a caller posing as someone) who is registered.
        messages.success(request, _("SMS pemulihan akun dikirim ke nomor tersebut."))
    return redirect("callcenter:console")


@never_cache
@console_only
@require_http_methods(["GET", "POST"])
@_once
def phone_change(request: HttpRequest) -> HttpResponse:
    """Lost SIM: the agent asks the caller's NIK, name and birth date and moves the account
    to their new number (the service refuses anyone but an agent, e.g. a manager)."""
    return phone_change_page(request, back="callcenter:console")
