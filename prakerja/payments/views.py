"""The participant's pages, "Pembayaran saya": the timeline of the training balance, the
instalments and the surveys; the payment account (register, or change after an SMS code); and
each survey's short form. Thin: parse, call one service or selector, render; a refusal is
shown in an error summary with its status, and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.models import Role
from prakerja.core.errors import ApplicationError
from prakerja.enrolment import selectors as enrolment_selectors
from prakerja.payments import selectors
from prakerja.payments.models import BANKS, EWALLETS, Channel, PaymentAccount, Survey
from prakerja.payments.services import accounts, schedule

SHOWN = frozenset({400, 403, 404, 409, 413, 422})


def shown(error: ApplicationError) -> ApplicationError:
    """The refusals a page shows with their message; anything else is a server fault."""
    if error.status not in SHOWN:
        raise error
    return error


def _participant(request: HttpRequest) -> Any:
    participant = enrolment_selectors.participant_for_actor(actor=request.user)
    if participant is None or participant.status != "active":
        return None
    return participant


def _not_participant(request: HttpRequest, *, status: int = 403) -> HttpResponse:
    return render(request, "payments/not_participant.html", status=status)


@never_cache
@login_required
@require_GET
def my_payments(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        # An applicant's own page, in their menu before the training: it says when payments
        # start (200). Staff have no payments of their own (403).
        is_applicant = getattr(request.user, "role", None) == Role.APPLICANT
        return _not_participant(request, status=200 if is_applicant else 403)
    timeline = selectors.participant_timeline(participant=participant)
    return render(request, "payments/my_payments.html", {"timeline": timeline})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_form(request: HttpRequest) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return _not_participant(request)
    current = PaymentAccount.objects.filter(participant=participant, is_active=True).first()
    values = {key: request.POST.get(key, "").strip() for key in ("channel", "number")}
    # The provider of the chosen kind, kept for the form when something else is refused.
    values["provider"] = request.POST.get(f"provider_{values['channel']}", "")
    values["holder_name"] = request.POST.get("holder_name", participant.registration.full_name)
    error: ApplicationError | None = None
    code_sent = request.POST.get("code_sent") == "1"
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send_code":
                accounts.change_code_send(actor=request.user)
                code_sent = True
                messages.info(request, _("Kode dikirim lewat SMS ke nomor HP Anda."))
            else:
                accounts.account_register(
                    actor=request.user,
                    channel=values["channel"],
                    provider=values["provider"],
                    number=values["number"],
                    holder_name=values["holder_name"],
                    code=request.POST.get("code", "").strip(),
                )
                messages.success(request, _("Rekening pembayaran tersimpan."))
                return redirect("payments:my_payments")
        except ApplicationError as exc:
            error = shown(exc)
    return render(
        request,
        "payments/account_form.html",
        {
            "current": current,
            "values": values,
            "error": error,
            "code_sent": code_sent,
            "banks": sorted(BANKS.items(), key=lambda item: item[1]),
            "ewallets": sorted(EWALLETS.items(), key=lambda item: item[1]),
            "channels": Channel.choices,
        },
        status=error.status if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, survey_id: int) -> HttpResponse:
    participant = _participant(request)
    if participant is None:
        return _not_participant(request)
    survey = Survey.objects.filter(pk=survey_id, programme_id=participant.wave.programme_id).first()
    if survey is None:
        return render(request, "payments/not_participant.html", status=404)
    error: ApplicationError | None = None
    answers = {q["key"]: request.POST.get(q["key"], "") for q in survey.questions}
    if request.method == "POST":
        try:
            schedule.survey_answer(actor=request.user, survey_id=survey.pk, answers=answers)
        except ApplicationError as exc:
            error = shown(exc)
        else:
            messages.success(
                request,
                _("Terima kasih. Insentif survei akan dibayar bersama pembayaran berikutnya."),
            )
            return redirect("payments:my_payments")
    return render(
        request,
        "payments/survey_form.html",
        {"survey": survey, "answers": answers, "error": error},
        status=error.status if error else 200,
    )
