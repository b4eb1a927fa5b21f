"""The participant's pages: "Pelatihan saya" (balance, deadline, ledger, enrolments), the
enrolment's check-answers page and its confirmation, and the cancellation with the amount
returned.

Thin: parse, call one service or selector, render. The services decide and raise
``ApplicationError``; a refusal is shown on the page with its Indonesian message and its
status (409), and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import form_token_issue, once_per_submission_token
from prakerja.core.money import rupiah
from prakerja.enrolment import selectors
from prakerja.enrolment.models import Participant
from prakerja.enrolment.services.enrolments import (
    batch_get,
    cancel_refusal,
    enrolment_cancel,
    enrolment_create,
    enrolment_get_for_actor,
    enrolment_quote,
)

# Refusals a page shows with its message (bad input, a state that forbids the step).
SHOWN_STATUSES = frozenset({400, 403, 404, 409, 422})


def _shown(error: ApplicationError) -> ApplicationError:
    if error.status not in SHOWN_STATUSES:
        raise error
    return error


def catalogue_url() -> str | None:
    """The course catalogue (training app), when this build has it."""
    try:
        return reverse("training:catalogue")
    except NoReverseMatch:
        return None


def _participant_or_page(request: HttpRequest) -> Participant | HttpResponse:
    participant = selectors.participant_for_actor(actor=request.user)
    if participant is None:
        return render(
            request,
            "enrolment/not_participant.html",
            {"catalogue_url": catalogue_url()},
            status=403 if request.method == "POST" else 200,
        )
    return participant


@never_cache
@login_required
@require_GET
def my_training(request: HttpRequest) -> HttpResponse:
    """Pelatihan saya: balance in rupiah, the deadline, the ledger, the enrolments."""
    participant = _participant_or_page(request)
    if isinstance(participant, HttpResponse):
        return participant
    today = timezone.localdate()
    enrolments = [
        (enrolment, cancel_refusal(enrolment, today=today) is None)
        for enrolment in selectors.participant_enrolments(participant=participant)
    ]
    deadline_open = participant.first_enrolled_at is None and participant.status == "active"
    return render(
        request,
        "enrolment/my_training.html",
        {
            "participant": participant,
            "ledger": selectors.participant_ledger(participant=participant),
            "enrolments": enrolments,
            "deadline_open": deadline_open,
            "days_left": max((timezone.localdate(participant.enrol_by) - today).days, 0),
            "catalogue_url": catalogue_url(),
        },
    )


@never_cache
@login_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def enrol_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Check your answers: course, dates, price, balance before and after; POST enrols."""
    participant = _participant_or_page(request)
    if isinstance(participant, HttpResponse):
        return participant
    try:
        batch = batch_get(batch_id=batch_id)
    except ApplicationError as exc:
        return _refusal_page(request, _shown(exc), participant=participant)
    context: dict[str, Any] = {"participant": participant, "batch": batch, "course": batch.course}
    if request.method == "POST":
        price_raw = request.POST.get("price", "")
        price = int(price_raw) if price_raw.isascii() and price_raw.isdigit() else None
        try:
            enrolment = enrolment_create(
                actor=request.user, participant=participant, batch=batch, price=price
            )
        except ApplicationError as exc:
            return _refusal_page(request, _shown(exc), participant=participant, batch=batch)
        return redirect("enrolment:enrol_done", enrolment.pk)
    try:
        quote = enrolment_quote(actor=request.user, participant=participant, batch=batch)
    except ApplicationError as exc:
        return _refusal_page(request, _shown(exc), participant=participant, batch=batch)
    context.update(
        quote=quote,
        seats_left=batch.seats - batch.seats_taken,
        submission_token=form_token_issue(request),
    )
    context["catalogue_url"] = catalogue_url()
    return render(request, "enrolment/enrol_confirm.html", context)


def _refusal_page(request: HttpRequest, error: ApplicationError, **context: Any) -> HttpResponse:
    batch = context.get("batch")
    return render(
        request,
        "enrolment/enrol_refused.html",
        {
            **context,
            "course": getattr(batch, "course", None),
            "error": error,
            "catalogue_url": catalogue_url(),
        },
        status=error.status,
    )


@never_cache
@login_required
@require_GET
def enrol_done(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The confirmation page of an enrolment (its owner only)."""
    try:
        enrolment = enrolment_get_for_actor(actor=request.user, enrolment_id=enrolment_id)
    except ApplicationError as exc:
        return _refusal_page(request, _shown(exc))
    return render(
        request,
        "enrolment/enrol_done.html",
        {"enrolment": enrolment, "participant": enrolment.participant},
    )


@never_cache
@login_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def enrol_cancel(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Ask, with the amount that comes back, then cancel."""
    try:
        enrolment = enrolment_get_for_actor(actor=request.user, enrolment_id=enrolment_id)
    except ApplicationError as exc:
        return _refusal_page(request, _shown(exc))
    refusal = cancel_refusal(enrolment, today=timezone.localdate())
    if refusal is not None:
        return _refusal_page(request, refusal, participant=enrolment.participant)
    if request.method == "POST":
        try:
            enrolment_cancel(actor=request.user, enrolment=enrolment)
        except ApplicationError as exc:
            return _refusal_page(request, _shown(exc), participant=enrolment.participant)
        messages.success(
            request,
            _("Pendaftaran %(course)s dibatalkan. Saldo %(amount)s dikembalikan.")
            % {"course": enrolment.batch.course.title, "amount": rupiah(enrolment.price)},
        )
        return redirect("enrolment:my_training")
    participant = enrolment.participant
    return render(
        request,
        "enrolment/enrol_cancel.html",
        {
            "enrolment": enrolment,
            "participant": participant,
            "balance_after": participant.balance + enrolment.price,
            "submission_token": form_token_issue(request),
        },
    )
