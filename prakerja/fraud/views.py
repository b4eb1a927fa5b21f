"""The review queue under ``/sinyal/``: the signals with their evidence in plain Indonesian,
and the reviewer's decision (a real problem or a false alarm, with a note)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.scopes import Capability
from prakerja.core.errors import ApplicationError
from prakerja.fraud.models import Kind, Signal
from prakerja.fraud.services import signal_decide

reviewer = capability_required(Capability.FRAUD_REVIEW)


@never_cache
@reviewer
@require_GET
def signal_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Signal.Status.OPEN)
    kind = request.GET.get("kind", "")
    signals = Signal.objects.all()
    if status in Signal.Status.values:
        signals = signals.filter(status=status)
    if kind in Kind.values:
        signals = signals.filter(kind=kind)
    return render(
        request,
        "fraud/list.html",
        {
            "signals": signals[:200],
            "status": status,
            "kind": kind,
            "kinds": Kind.choices,
            "statuses": Signal.Status.choices,
        },
    )


@never_cache
@reviewer
@require_http_methods(["GET", "POST"])
def signal_detail(request: HttpRequest, signal_id: int) -> HttpResponse:
    signal = Signal.objects.filter(pk=signal_id).first()
    if signal is None:
        return render(request, "fraud/missing.html", status=404)
    error = None
    if request.method == "POST":
        try:
            signal_decide(
                actor=request.user,
                signal_id=signal.pk,
                verdict=request.POST.get("verdict", ""),
                note=request.POST.get("note", ""),
            )
        except ApplicationError as exc:
            if exc.status not in (403, 404, 422):
                raise
            error = exc
        else:
            messages.success(request, _("Keputusan tersimpan."))
            return redirect("fraud:list")
    return render(
        request,
        "fraud/detail.html",
        {"signal": signal, "error": error, "note": request.POST.get("note", "")},
        status=error.status if error else 200,
    )
