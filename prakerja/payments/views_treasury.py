"""The treasury's pages under ``/pembayaran/``: what is due, building a batch, the second
officer's approval (a confirmation with the number of transfers and the total), the bank's
files, the bank's result file with every line it could not apply, the accounts whose holder
name needs a look, and the report per regency and month."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.scopes import Capability
from prakerja.core.errors import ApplicationError
from prakerja.core.exports import csv_file_response
from prakerja.core.money import rupiah
from prakerja.payments import selectors
from prakerja.payments.errors import PaymentError
from prakerja.payments.models import Channel
from prakerja.payments.services import accounts, batches, reconciliation
from prakerja.payments.views import shown
from prakerja.regions.models import Regency

treasury = capability_required(Capability.PAYMENT_MANAGE)


@never_cache
@treasury
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/treasury.html",
        {
            "due": selectors.due_summary(actor=request.user),
            "batches": selectors.batches_list(actor=request.user)[:50],
            "regencies": Regency.objects.order_by("name"),
            "channels": Channel.choices,
        },
    )


def _refused(request: HttpRequest, error: ApplicationError, back: str) -> HttpResponse:
    return render(
        request,
        "payments/refused.html",
        {"error": error, "back": back},
        status=error.status,
    )


@never_cache
@treasury
@require_POST
def batch_build(request: HttpRequest) -> HttpResponse:
    try:
        batch = batches.batch_build(
            actor=request.user,
            regency_code=request.POST.get("regency", ""),
            channel=request.POST.get("channel", ""),
        )
    except ApplicationError as exc:
        return _refused(request, shown(exc), "payments:treasury")
    messages.success(
        request,
        _("Batch %(code)s disusun: %(n)s transfer, %(total)s. Minta petugas lain menyetujuinya.")
        % {"code": batch.code, "n": batch.line_count, "total": rupiah(batch.total)},
    )
    return redirect("payments:batch", batch.pk)


@never_cache
@treasury
@require_http_methods(["GET", "POST"])
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch = batches.batch_get(actor=request.user, batch_id=batch_id)
        if request.method == "POST":
            batches.batch_approve(actor=request.user, batch_id=batch_id)
            messages.success(
                request,
                _("Batch %(code)s disetujui. Berkas bank sekarang dapat diunduh.")
                % {"code": batch.code},
            )
            return redirect("payments:batch", batch_id)
    except ApplicationError as exc:
        return _refused(request, shown(exc), "payments:treasury")
    return render(
        request,
        "payments/batch.html",
        {
            "batch": batch,
            "results": selectors.batch_lines(batch=batch),
            "own": batch.built_by_id == request.user.pk,
            "layouts": Channel.choices,
        },
    )


@never_cache
@treasury
@require_GET
def batch_file(request: HttpRequest, batch_id: int, layout: str) -> HttpResponse:
    try:
        exported = batches.batch_export(actor=request.user, batch_id=batch_id, layout=layout)
    except ApplicationError as exc:
        return _refused(request, shown(exc), "payments:treasury")
    response = csv_file_response(filename=exported.name, content=exported.content)
    response["X-Content-SHA256"] = exported.sha256
    return response


@never_cache
@treasury
@require_http_methods(["GET", "POST"])
def result_upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"max_mb": reconciliation.MAX_BYTES // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError(
                    PaymentError.RESULT_FILE_INVALID,
                    _("Pilih berkas hasil dari bank."),
                    field="file",
                    status=422,
                )
            if upload.size is not None and upload.size > reconciliation.MAX_BYTES:
                raise ApplicationError(
                    PaymentError.RESULT_FILE_TOO_LARGE,
                    _("Berkas hasil bank terlalu besar (paling besar 20 MB)."),
                    field="file",
                    status=413,
                )
            context["summary"] = reconciliation.result_import(
                actor=request.user, name=upload.name or "", content=upload.read()
            )
        except ApplicationError as exc:
            context["error"] = shown(exc)
            status = exc.status
    return render(request, "payments/result_upload.html", context, status=status)


@never_cache
@treasury
@require_http_methods(["GET", "POST"])
def account_reviews(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            account = accounts.account_review(
                actor=request.user,
                account_id=int(request.POST.get("account", "0") or 0),
                accept=request.POST.get("decision") == "accept",
            )
        except (ApplicationError, ValueError) as exc:
            if isinstance(exc, ValueError):
                exc = ApplicationError(PaymentError.FORBIDDEN, _("Rekening tidak dikenal."))
            return _refused(request, shown(exc), "payments:account_reviews")
        messages.success(
            request,
            _("Rekening %(account)s: %(decision)s.")
            % {"account": account, "decision": account.get_name_check_display()},
        )
        return redirect("payments:account_reviews")
    return render(
        request,
        "payments/account_reviews.html",
        {"accounts": selectors.accounts_in_review(actor=request.user)[:200]},
    )


@never_cache
@capability_required(Capability.REPORT_VIEW)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    rows = selectors.report_by_regency_month(actor=request.user)
    totals = {
        key: sum(getattr(row, key) for row in rows)
        for key in ("due", "batched", "paid", "failed", "returned")
    }
    return render(
        request,
        "payments/report.html",
        {
            "rows": rows,
            "totals": totals,
            "balances": selectors.bucket_balances(),
            "mismatches": selectors.ledger_mismatches(),
        },
    )
